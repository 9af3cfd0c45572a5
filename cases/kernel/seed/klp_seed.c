// SPDX-License-Identifier: GPL-2.0
/*
 * The seed's layout (test_klp_convert1 and the v4 thread): one vmlinux-local symbol,
 * saved_command_line, used from several functions in different sections — the replacement, a
 * hot helper in its own section, a cold helper (.text.unlikely), an explicitly placed one — and
 * from data. v4 converted only the first relocation of a shared symbol; the others then pointed
 * at a SHN_LIVEPATCH symbol the module loader resolves to 0, and the module crashed. Each helper
 * here returns the pointer its own relocation produced; the replacement prints whether they agree.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>
#include <linux/string.h>

extern char *saved_command_line;

static char **klp_seed_data_ref __used = &saved_command_line;

static noinline char *klp_seed_plain(void)
{
	return READ_ONCE(saved_command_line);
}

static noinline __cold char *klp_seed_cold(void)
{
	return READ_ONCE(saved_command_line);
}

static noinline __section(".text.klp_seed_explicit") char *klp_seed_explicit(void)
{
	return READ_ONCE(saved_command_line);
}

static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	char *direct = READ_ONCE(saved_command_line);
	char *plain = klp_seed_plain();
	char *cold = klp_seed_cold();
	char *explicit = klp_seed_explicit();
	char *data = READ_ONCE(*klp_seed_data_ref);
	int agree = direct == plain && plain == cold && cold == explicit && explicit == data;

	seq_printf(m, "klp_seed: agree=%d len=%zu %s\n", agree, strlen(direct), direct);
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

static int klp_seed_init(void)
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
static void *const klp_seed_keep[] __used = { livepatch_cmdline_proc_show };

static int klp_seed_init(void)
{
	return 0;
}
#endif

static void klp_seed_exit(void)
{
}

module_init(klp_seed_init);
module_exit(klp_seed_exit);
MODULE_LICENSE("GPL");
