// SPDX-License-Identifier: GPL-2.0
/*
 * The annotation dialect: every reference names its object and sympos up front, as
 * .klp.sym.rela.<lpobj>.<symobj>.<name>,<pos> through an asm label (quoted: the comma). Same kinds
 * of reference as the symbols-list cases: one local symbol from several functions and sections,
 * a table of pointers in data, and a duplicate name (c_next, three in vmlinux) by position.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

#define KLP_RELOC_SYMBOL_POS(lpobj, symobj, sym, pos) \
	__asm__("\".klp.sym.rela." #lpobj "." #symobj "." #sym "," #pos "\"")
#define KLP_RELOC_SYMBOL(lpobj, symobj, sym) KLP_RELOC_SYMBOL_POS(lpobj, symobj, sym, 0)

extern char *klp_cmdline KLP_RELOC_SYMBOL(vmlinux, vmlinux, saved_command_line);
extern const char klp_banner[] KLP_RELOC_SYMBOL(vmlinux, vmlinux, linux_banner);
extern void klp_c_next(void) KLP_RELOC_SYMBOL_POS(vmlinux, vmlinux, c_next, 3);

/* Not static, so the compiler keeps the table and its data relocations. */
const void *klp_annot_table[] = { &klp_cmdline, klp_banner };

static noinline __cold char *klp_annot_cold(void)
{
	return READ_ONCE(klp_cmdline);
}

static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	char *const *from_table = READ_ONCE(klp_annot_table[0]);
	int agree = READ_ONCE(klp_cmdline) == klp_annot_cold() && klp_annot_cold() == *from_table;

	seq_printf(m, "klp_annot: agree=%d bound=%px banner=%.13s cmdline=%s\n", agree,
		   (void *)klp_c_next, (const char *)READ_ONCE(klp_annot_table[1]), klp_annot_cold());
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

static int klp_annot_init(void)
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
static void *const klp_annot_keep[] __used = { livepatch_cmdline_proc_show };

static int klp_annot_init(void)
{
	return 0;
}
#endif

static void klp_annot_exit(void)
{
}

module_init(klp_annot_init);
module_exit(klp_annot_exit);
MODULE_LICENSE("GPL");
