// SPDX-License-Identifier: GPL-2.0
/*
 * Late module patching: binfmt_misc (shipped with the Debian kernel) is loaded after this patch.
 * The replacement of its bm_status_read reads the module-local `enabled`, so klp-convert writes
 * a .klp.rela.binfmt_misc.* section that the livepatch core applies only when binfmt_misc comes.
 * `enabled` is a common name (vmlinux has several), so KLP_SYMPOS names its object: sympos 0,
 * the only one in binfmt_misc.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/livepatch.h>
#include <linux/fs.h>
#include <linux/string.h>

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

/* binfmt_misc's `static int enabled`; the asm label keeps the C name clear of any header's. */
extern int klp_binfmt_enabled __asm__("enabled");

KLP_MODULE_RELOC(binfmt_misc) klp_late_relocs[] = {
	KLP_SYMPOS(klp_binfmt_enabled, 0),
};

static ssize_t livepatch_bm_status_read(struct file *file, char __user *buf, size_t nbytes, loff_t *ppos)
{
	const char *s = READ_ONCE(klp_binfmt_enabled) ? "enabled (klp_late)\n" : "disabled (klp_late)\n";

	return simple_read_from_buffer(buf, nbytes, ppos, s, strlen(s));
}

#if IS_ENABLED(CONFIG_LIVEPATCH)
static struct klp_func funcs[] = {
	{ .old_name = "bm_status_read", .new_func = livepatch_bm_status_read, },
	{ }
};

static struct klp_object objs[] = {
	{ .name = "binfmt_misc", .funcs = funcs, },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int klp_late_init(void)
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
static void *const klp_late_keep[] __used = { livepatch_bm_status_read };

static int klp_late_init(void)
{
	return 0;
}
#endif

static void klp_late_exit(void)
{
}

module_init(klp_late_init);
module_exit(klp_late_exit);
MODULE_LICENSE("GPL");
