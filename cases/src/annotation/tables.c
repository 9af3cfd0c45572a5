/*
 * annotation dialect, data tables that take addresses.
 *
 * Tables of pointers to vmlinux-local functions and data (const ones in
 * .rodata / .data.rel.ro, writable ones in .data), pointers with addends
 * into vmlinux arrays, the same functions also called directly from code,
 * a switch that may become a jump table (relocations to this module's own
 * text that stay), and special sections (.altinstructions, __jump_table)
 * whose entries point only at resolvable symbols (local or exported), so
 * they are legal.
 */
#include "klp.h"

/* vmlinux, not exported */
extern int klp_op_open(void *ctx)
	KLP_RELOC_SYMBOL(vmlinux, vmlinux, klp_op_open);
extern int klp_op_close(void *ctx)
	KLP_RELOC_SYMBOL(vmlinux, vmlinux, klp_op_close);
extern long klp_op_ioctl(void *ctx, unsigned int cmd, ulong arg)
	KLP_RELOC_SYMBOL(vmlinux, vmlinux, klp_op_ioctl);
extern int klp_table_data[16]
	KLP_RELOC_SYMBOL(vmlinux, vmlinux, klp_table_data);
extern const char klp_table_name[]
	KLP_RELOC_SYMBOL(vmlinux, vmlinux, klp_table_name);
extern int klp_homonym_counter
	KLP_RELOC_SYMBOL_POS(vmlinux, vmlinux, klp_homonym_counter, 2);
extern char *saved_command_line
	KLP_RELOC_SYMBOL(vmlinux, vmlinux, saved_command_line);

/* test_klp_convert_mod, not exported */
extern int test_klp_mod_ops_count
	KLP_RELOC_SYMBOL(test_klp_convert_mod, test_klp_convert_mod, test_klp_mod_ops_count);
extern int test_klp_mod_open(void *ctx)
	KLP_RELOC_SYMBOL(test_klp_convert_mod, test_klp_convert_mod, test_klp_mod_open);
/* a name that also exists in vmlinux: this one is the vmlinux copy */
extern int shared_cross_name
	KLP_RELOC_SYMBOL_POS(vmlinux, vmlinux, shared_cross_name, 1);

/* exported by test_klp_convert_mod: stays */
extern int test_klp_exported_helper(int);

struct corpus_ops {
	const char *name;
	int (*open)(void *);
	int (*close)(void *);
	long (*ioctl)(void *, unsigned int, ulong);
	int *counter;
};

static long lp_ioctl(void *ctx, unsigned int cmd, ulong arg);

/* const table of pointers to vmlinux-local functions and data */
static const struct corpus_ops vmlinux_ops = {
	.name = klp_table_name,
	.open = klp_op_open,
	.close = klp_op_close,
	.ioctl = lp_ioctl,
	.counter = &klp_table_data[3],
};

/* writable table mixing vmlinux, module and local targets */
static struct corpus_ops mod_ops = {
	.name = "test_klp_convert_mod",
	.open = test_klp_mod_open,
	.close = klp_op_close,
	.ioctl = klp_op_ioctl,
	.counter = &test_klp_mod_ops_count,
};

static void *const address_book[] __used = {
	(void *)klp_op_open,
	(void *)&klp_table_data[0],
	(void *)&klp_table_data[15],
	(void *)klp_op_open,
	(void *)&saved_command_line,
	(void *)test_klp_exported_helper,
	(void *)&klp_homonym_counter,
	(void *)&shared_cross_name,
	(void *)&klp_table_data[15],
};

static int *counters[] __used = {
	&klp_table_data[1], &klp_homonym_counter, &test_klp_mod_ops_count,
	&klp_table_data[1],
};

static __noinline int lp_dispatch(const struct corpus_ops *ops, int what,
				  void *ctx)
{
	switch (what) {
	case 0: return ops->open(ctx);
	case 1: return ops->close(ctx);
	case 2: return (int)ops->ioctl(ctx, 1, 0);
	case 3: return *ops->counter;
	case 4: return klp_op_open(ctx) + klp_table_data[4];
	case 5: return klp_op_close(ctx) + klp_table_data[5];
	case 6: return test_klp_exported_helper(what);
	case 7: return klp_table_data[7] + klp_homonym_counter;
	default: return -1;
	}
}

static long lp_ioctl(void *ctx, unsigned int cmd, ulong arg)
{
	if (cmd == 42)
		return klp_op_ioctl(ctx, cmd, arg) + klp_op_ioctl(ctx, cmd + 1, arg);
	return lp_dispatch(&vmlinux_ops, (int)cmd & 7, ctx) +
	       lp_dispatch(&mod_ops, (int)cmd & 7, ctx);
}

__coldfn int tables_error(void *ctx)
{
	printk("tables: %s failed, data %d\n", klp_table_name, klp_table_data[9]);
	return klp_op_close(ctx) + klp_op_close((char *)ctx + 1);
}

__hotfn int tables_fast_open(void *ctx)
{
	int r = klp_op_open(ctx);

	if (r)
		return tables_error(ctx);
	klp_table_data[2]++;
	return klp_op_open((char *)ctx + 8) + shared_cross_name;
}

/* replacement */
int livepatch_op_open(void *ctx)
{
	test_klp_mod_ops_count++;
	return tables_fast_open(ctx) + lp_dispatch(&mod_ops, 3, ctx);
}

/* special sections that reference only resolvable symbols: legal */
static void lp_alt_replacement(void) { }
static struct corpus_alt_entry lp_alt __used
__section(".altinstructions") = {
	.orig = (void *)livepatch_op_open,
	.repl = (void *)lp_alt_replacement,
	.feature = 7,
};
static struct corpus_jump_entry lp_jump __used
__section("__jump_table") __aligned(8) = {
	.code = (void *)tables_fast_open,
	.target = (void *)tables_error,
	.key = (void *)&jiffies,
};

static struct klp_func vmlinux_funcs[] = {
	KLP_FUNC_POS("klp_op_open", livepatch_op_open, 0),
	{ }
};

static struct klp_object objs[] = {
	{ .name = NULL, .funcs = vmlinux_funcs },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static __initfn int tables_init(void)
{
	printk("tables: %p %p\n", (void *)counters[0], (void *)&mod_ops);
	return klp_enable_patch(&patch);
}

static __exitfn void tables_exit(void)
{
}

corpus_module_init(tables_init);
corpus_module_exit(tables_exit);
