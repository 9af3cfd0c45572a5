// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's livepatch sample, with the replacement reading the vmlinux-local (not exported)
 * saved_command_line: modpost leaves it undefined, klp-convert turns the reference into a klp
 * relocation the kernel resolves when the module loads.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

extern char *saved_command_line;

static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "klp_cmdline: %s\n", saved_command_line);
	return 0;
}

#if IS_ENABLED(CONFIG_LIVEPATCH)
static struct klp_func funcs[] = {
	{ .old_name = "cmdline_proc_show", .new_func = livepatch_cmdline_proc_show, },
	{ }
};

static struct klp_object objs[] = {
	{ /* name being NULL means vmlinux */ .funcs = funcs, },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int klp_cmdline_init(void)
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
static void *const klp_cmdline_keep[] __used = { livepatch_cmdline_proc_show };

static int klp_cmdline_init(void)
{
	return 0;
}
#endif

static void klp_cmdline_exit(void)
{
}

module_init(klp_cmdline_init);
module_exit(klp_cmdline_exit);
MODULE_LICENSE("GPL");
