// SPDX-License-Identifier: GPL-2.0
/*
 * A call from the patch to a vmlinux-local function: the replacement of cmdline_proc_show calls
 * the static version_proc_show (fs/proc/version.c), so /proc/cmdline shows the /proc/version
 * line. klp-convert turns the call's relocation (x86_64 R_X86_64_PLT32, ppc64le R_PPC64_REL24,
 * s390x R_390_PLT32DBL, arm64 R_AARCH64_CALL26) into a klp relocation. That is where the
 * architectures differ: the ppc64 loader routes the branch through a stub it allocates in .stubs
 * (get_stubs_size() counts REL24 in every SHT_RELA section, the klp ones included) and rewrites
 * the nop after the bl to restore the module's TOC pointer (restore_r2()); s390 gives it a PLT
 * slot (check_rela()); arm64 a PLT if out of range.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

extern int version_proc_show(struct seq_file *m, void *v);

static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klp_call: ");
	return version_proc_show(m, v);
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

static int klp_call_init(void)
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
static void *const klp_call_keep[] __used = { livepatch_cmdline_proc_show };

static int klp_call_init(void)
{
	return 0;
}
#endif

static void klp_call_exit(void)
{
}

module_init(klp_call_init);
module_exit(klp_call_exit);
MODULE_LICENSE("GPL");
