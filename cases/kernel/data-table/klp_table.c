// SPDX-License-Identifier: GPL-2.0
/*
 * A data relocation: a table of pointers to vmlinux-local symbols (R_X86_64_64 in .data), which
 * klp-convert must move to .klp.rela.vmlinux..data. The replacement prints every entry; the
 * oracle checks the banner text and compares one address with the guest's kallsyms.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

extern char *saved_command_line;
extern const char linux_banner[];
extern const char linux_proc_banner[];
extern int cmdline_proc_show(struct seq_file *m, void *v);

/*
 * Not static: the compiler must not fold the entries into the code that reads them, or the
 * relocations would be in .text and the data relocation would not be exercised.
 */
const void *klp_table[] = {
	&saved_command_line,
	linux_banner,
	linux_proc_banner,
	cmdline_proc_show,
};

static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	char *const *cmdline = READ_ONCE(klp_table[0]);

	seq_printf(m, "klp_table: proc_show=%px cmdline=%s banner=%.13s proc_banner=%.3s\n",
		   READ_ONCE(klp_table[3]), *cmdline, (const char *)READ_ONCE(klp_table[1]),
		   (const char *)READ_ONCE(klp_table[2]));
	return 0;
}

#if IS_ENABLED(CONFIG_LIVEPATCH)
static struct klp_func funcs[] = {
	{ .old_name = "cmdline_proc_show", .new_func = livepatch_cmdline_proc_show, },
	{ }
};

static struct klp_object objs[] = {
	{ .funcs = funcs, },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int klp_table_init(void)
{
	return klp_enable_patch(&patch);
}

MODULE_INFO(livepatch, "Y");
#else
/*
 * A kernel without CONFIG_LIVEPATCH (Debian's arm64, ppc64el and s390x) refuses a livepatch=Y
 * module, but its loader skips .klp.rela sections and SHN_LIVEPATCH symbols: this variant
 * carries the converted code and runs none of it.
 */
static void *const klp_table_keep[] __used = { livepatch_cmdline_proc_show };

static int klp_table_init(void)
{
	return 0;
}
#endif

static void klp_table_exit(void)
{
}

module_init(klp_table_init);
module_exit(klp_table_exit);
MODULE_LICENSE("GPL");
