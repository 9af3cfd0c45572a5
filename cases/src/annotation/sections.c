/*
 * annotation dialect, one unresolved symbol spread over many sections.
 *
 * klp_sched_state (vmlinux, not exported) is read and written from plain
 * .text, from explicitly placed .text.klp_fast / .text.klp_slow, from a
 * cold function (.text.unlikely), a hot one (.text.hot), from __init and
 * __exit code, and its address sits in .data, .data..read_mostly and
 * .rodata tables.  With -ffunction-sections every function adds its own
 * .text.<name> section on top.  Relocations that stay (exported calls,
 * module-local data, string literals) are interleaved with it.
 */
#include "klp.h"

/* vmlinux, not exported */
extern unsigned long klp_sched_state
	KLP_RELOC_SYMBOL(vmlinux, vmlinux, klp_sched_state);
extern int klp_sched_tick(unsigned long state, int cpu)
	KLP_RELOC_SYMBOL(vmlinux, vmlinux, klp_sched_tick);
extern void klp_sched_kick(int cpu)
	KLP_RELOC_SYMBOL(vmlinux, vmlinux, klp_sched_kick);
extern const char *klp_state_names[]
	KLP_RELOC_SYMBOL(vmlinux, vmlinux, klp_state_names);
extern int klp_homonym_counter
	KLP_RELOC_SYMBOL_POS(vmlinux, vmlinux, klp_homonym_counter, 1);
extern void klp_dup_function(int)
	KLP_RELOC_SYMBOL_POS(vmlinux, vmlinux, klp_dup_function, 3);

/* test_klp_convert_mod, not exported */
extern int test_klp_mod_state
	KLP_RELOC_SYMBOL(test_klp_convert_mod, test_klp_convert_mod, test_klp_mod_state);
extern void test_klp_mod_notify(const char *what)
	KLP_RELOC_SYMBOL(test_klp_convert_mod, test_klp_convert_mod, test_klp_mod_notify);
extern const char *homonym_string
	KLP_RELOC_SYMBOL_POS(test_klp_convert_mod, test_klp_convert_mod, homonym_string, 1);


static unsigned long local_shadow;
static int local_hits __read_mostly;

/* plain .text: the shared symbol four times, exported calls between */
static __noinline int sample_state(int cpu)
{
	unsigned long s = READ_ONCE(klp_sched_state);
	int r;

	printk("state %lu\n", s);
	local_shadow = s;
	r = klp_sched_tick(READ_ONCE(klp_sched_state), cpu);
	barrier();
	if (READ_ONCE(klp_sched_state) != s)
		r += klp_sched_tick(klp_sched_state, cpu + 1);
	WRITE_ONCE(klp_sched_state, s | 1);
	return r;
}

/* explicit hand-placed sections, as hot paths sometimes are */
__attribute__((section(".text.klp_fast"), noinline, used))
int klp_fast_path(int cpu)
{
	local_hits++;
	if (READ_ONCE(klp_sched_state) & 2)
		klp_sched_kick(cpu);
	barrier();
	return (int)READ_ONCE(klp_sched_state) + klp_homonym_counter;
}

__attribute__((section(".text.klp_slow"), noinline, used))
void klp_slow_path(int cpu)
{
	printk("slow path on %d: %s\n", cpu,
	       klp_state_names[READ_ONCE(klp_sched_state) & 3]);
	klp_dup_function(cpu);
	barrier();
	klp_sched_kick(cpu);
	WRITE_ONCE(klp_sched_state, 0);
	test_klp_mod_notify("slow");
}

__coldfn void sections_warn(int cpu)
{
	printk("warn: cpu %d state %lu mod %d homonym %s\n", cpu,
	       READ_ONCE(klp_sched_state), test_klp_mod_state,
	       homonym_string);
	barrier();
	klp_sched_kick(cpu);
	klp_dup_function(-cpu);
	WRITE_ONCE(klp_sched_state, READ_ONCE(klp_sched_state) + 1);
}

__hotfn int sections_hot(int cpu)
{
	int r = klp_sched_tick(READ_ONCE(klp_sched_state), cpu);

	barrier();
	if (r < 0)
		sections_warn(cpu);
	return r + (int)READ_ONCE(klp_sched_state) + test_klp_mod_state;
}

/* replacement functions */
int livepatch_sched_tick(unsigned long state, int cpu)
{
	int r = sample_state(cpu);

	if (r > 8)
		klp_slow_path(cpu);
	return r + klp_fast_path(cpu) + sections_hot(cpu) + (int)state;
}

void livepatch_mod_notify(const char *what)
{
	printk("notify %s %d\n", what, READ_ONCE(test_klp_mod_state));
	barrier();
	WRITE_ONCE(test_klp_mod_state, READ_ONCE(test_klp_mod_state) + 1);
}

/* addresses of the shared symbol in three data sections */
static unsigned long *state_ptr_data __used = &klp_sched_state;
static unsigned long *state_ptr_rm __used __read_mostly = &klp_sched_state;
static int (*const tick_table[])(unsigned long, int) __used = {
	klp_sched_tick, livepatch_sched_tick, klp_sched_tick,
};
static const struct {
	const char *name;
	void *addr;
} watch_list[] __used = {
	{ "klp_sched_state", &klp_sched_state },
	{ "local_shadow", &local_shadow },
	{ "test_klp_mod_state", &test_klp_mod_state },
	{ "klp_sched_state+8", (char *)&klp_sched_state + 8 },
};

static struct klp_func vmlinux_funcs[] = {
	KLP_FUNC("klp_sched_tick", livepatch_sched_tick),
	{ }
};

static struct klp_func mod_funcs[] = {
	KLP_FUNC("test_klp_mod_notify", livepatch_mod_notify),
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

static __initfn int sections_init(void)
{
	if (READ_ONCE(klp_sched_state) == ~0UL)
		sections_warn(0);
	printk("init %p %p\n", (void *)state_ptr_data, (void *)state_ptr_rm);
	return klp_enable_patch(&patch);
}

static __exitfn void sections_exit(void)
{
	WRITE_ONCE(klp_sched_state, local_shadow);
}

corpus_module_init(sections_init);
corpus_module_exit(sections_exit);
