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

static void klp_cmdline_exit(void)
{
}

module_init(klp_cmdline_init);
module_exit(klp_cmdline_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
