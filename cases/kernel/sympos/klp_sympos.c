// SPDX-License-Identifier: GPL-2.0
/*
 * A vmlinux symbol with a duplicate name, chosen by KLP_SYMPOS: c_start is a static function in
 * three files (cpuinfo, /proc/consoles, /proc/devices). The replacement prints the address the
 * kernel bound, and the load oracle checks it is the second c_start in the guest's kallsyms: a
 * wrong sympos shows as another duplicate's address.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

/* The symbols-list dialect's annotation, as klp-convert's include/linux/livepatch.h spells it. */
struct klp_module_reloc {
	union {
		void *sym;
		u64 sym64;
	};
	u32 sympos;
} __packed;
#define KLP_MODULE_RELOC(obj) \
	static struct klp_module_reloc __used __section(".klp.module_relocs." #obj)
#define KLP_SYMPOS(symbol, pos) { .sym = (void *)&(symbol), .sympos = (pos) }

extern void c_start(void);
extern char *saved_command_line;

KLP_MODULE_RELOC(vmlinux) klp_sympos_relocs[] = {
	KLP_SYMPOS(c_start, 2),
};

static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "klp_sympos: bound=%px cmdline=%s\n", (void *)c_start, saved_command_line);
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

static int klp_sympos_init(void)
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
static void *const klp_sympos_keep[] __used = { livepatch_cmdline_proc_show };

static int klp_sympos_init(void)
{
	return 0;
}
#endif

static void klp_sympos_exit(void)
{
}

module_init(klp_sympos_init);
module_exit(klp_sympos_exit);
MODULE_LICENSE("GPL");
