/*
 * Shared body of the error-case sources: a small but complete livepatch
 * module whose replacement uses one vmlinux-local symbol (several times,
 * from two sections) and the exported printk.  Each error source declares
 * ERR_EXTRA_USE() to add the construct that must make klp-convert fail.
 */
#include "klp.h"

#ifndef ERR_CMDLINE_DECL
extern char *saved_command_line;
#else
ERR_CMDLINE_DECL;
#endif

static int err_calls;

__coldfn void err_cold_report(void)
{
	printk("cold: %s\n", saved_command_line);
}

int livepatch_err_show(void *m, void *v)
{
	err_calls++;
	printk("show: %s\n", saved_command_line);
	barrier();
	if (!saved_command_line)
		err_cold_report();
	ERR_EXTRA_USE();
	return err_calls;
}

static struct klp_func err_funcs[] = {
	KLP_FUNC("cmdline_proc_show", livepatch_err_show),
	{ }
};

static struct klp_object err_objs[] = {
	{ .name = NULL, .funcs = err_funcs },
	{ }
};

static struct klp_patch err_patch = {
	.mod = THIS_MODULE,
	.objs = err_objs,
};

static __initfn int err_init(void)
{
	return klp_enable_patch(&err_patch);
}

static __exitfn void err_exit(void)
{
}

corpus_module_init(err_init);
corpus_module_exit(err_exit);
