/*
 * annotation dialect, basic livepatch module (no symbols.klp: every
 * unresolved symbol is pre-named .klp.sym.rela.<lpobj>.<symobj>.<name>,<pos>).
 *
 * Patches one vmlinux function and one function of test_klp_convert_mod.
 * The replacements read kernel symbols that are not exported (they must
 * become .klp.sym relocations) next to exported ones (printk, which must
 * stay) and module-local data (section symbols, which must stay).
 * saved_command_line is used several times in one function and from
 * .text, .text.unlikely (cold), .text.hot (hot), .init.text and .data.
 */
#include "klp.h"

/* vmlinux, not exported */
extern char *saved_command_line
	KLP_RELOC_SYMBOL(vmlinux, vmlinux, saved_command_line);
/* the same vmlinux name at two kallsyms positions: two distinct symbols */
extern int klp_homonym_counter
	KLP_RELOC_SYMBOL_POS(vmlinux, vmlinux, klp_homonym_counter, 2);
extern int klp_homonym_counter_first
	KLP_RELOC_SYMBOL_POS(vmlinux, vmlinux, klp_homonym_counter, 1);
extern int klp_vmlinux_lookup(const char *name, int flags)
	KLP_RELOC_SYMBOL(vmlinux, vmlinux, klp_vmlinux_lookup);
extern const char klp_banner_text[]
	KLP_RELOC_SYMBOL(vmlinux, vmlinux, klp_banner_text);

/* test_klp_convert_mod, not exported: relocations go to that object */
extern char driver_name[]
	KLP_RELOC_SYMBOL(test_klp_convert_mod, test_klp_convert_mod, driver_name);
extern const char *homonym_string
	KLP_RELOC_SYMBOL_POS(test_klp_convert_mod, test_klp_convert_mod, homonym_string, 2);
extern const char *test_klp_get_driver_name(void)
	KLP_RELOC_SYMBOL(test_klp_convert_mod, test_klp_convert_mod, test_klp_get_driver_name);
extern int shared_cross_name
	KLP_RELOC_SYMBOL_POS(test_klp_convert_mod, test_klp_convert_mod, shared_cross_name, 1);

static int call_count;
static const char tag[] = "klp-basic";

/* the same unresolved symbol read three times in one function, with an
 * exported call and a module-local access in between */
static __noinline void print_saved_command_line(void)
{
	printk("%s: saved_command_line: %s\n", tag, saved_command_line);
	barrier();
	call_count++;
	if (saved_command_line && saved_command_line[0])
		printk("%s: first char %c\n", tag, saved_command_line[0]);
	barrier();
	printk("%s: address %p\n", tag, (void *)&saved_command_line);
}

static __noinline void print_driver_name(void)
{
	printk("%s: driver_name: %s (%s)\n", tag, driver_name,
	       test_klp_get_driver_name());
	barrier();
	printk("%s: driver_name again: %s\n", tag, driver_name);
}

static __noinline void print_homonyms(void)
{
	printk("%s: homonym_string: %s\n", tag, homonym_string);
	printk("%s: counters %d %d\n", tag, klp_homonym_counter,
	       shared_cross_name);
	barrier();
	WRITE_ONCE(klp_homonym_counter, klp_homonym_counter_first + 1);
}

__coldfn void basic_report_failure(int err)
{
	printk("%s: failed (%d), cmdline %s banner %s\n", tag, err,
	       saved_command_line, klp_banner_text);
	barrier();
	if (err == -2)
		printk("%s: lookup %d\n", tag,
		       klp_vmlinux_lookup(saved_command_line, err));
}

__hotfn int basic_fast_check(int flags)
{
	int r = klp_vmlinux_lookup(saved_command_line, flags);

	barrier();
	r += klp_vmlinux_lookup(driver_name, flags) + call_count;
	return r + (saved_command_line != NULL);
}

/* replacement functions */
int livepatch_cmdline_proc_show(void *m, void *v)
{
	print_saved_command_line();
	if (basic_fast_check(1) < 0)
		basic_report_failure(-1);
	return 0;
}

const char *livepatch_get_driver_name(void)
{
	print_driver_name();
	print_homonyms();
	return "livepatch";
}

/* a data pointer to the shared symbol: .rela.data */
static char **cmdline_slot __used = &saved_command_line;

static struct klp_func vmlinux_funcs[] = {
	KLP_FUNC("cmdline_proc_show", livepatch_cmdline_proc_show),
	{ }
};

static struct klp_func mod_funcs[] = {
	KLP_FUNC("test_klp_get_driver_name", livepatch_get_driver_name),
	{ }
};

static struct klp_object objs[] = {
	{ .name = NULL, .funcs = vmlinux_funcs },
	{ .name = "test_klp_convert_mod", .funcs = mod_funcs },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static __initfn int basic_init(void)
{
	printk("%s: init with %s\n", tag, *cmdline_slot);
	if (!saved_command_line)
		basic_report_failure(-2);
	return klp_enable_patch(&patch);
}

static __exitfn void basic_exit(void)
{
}

corpus_module_init(basic_init);
corpus_module_exit(basic_exit);
