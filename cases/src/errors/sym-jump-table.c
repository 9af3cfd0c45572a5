/* symbols-list error: a __jump_table entry whose key is a static key of a
 * module object (test_klp_convert_mod): that module's jump labels are set up
 * when it loads, before the livepatch core can resolve the key ->
 * unsupported-section. (A vmlinux key would be fine.) */
#include "klp.h"
extern int klp_static_key;
int livepatch_err_show(void *m, void *v);
static struct corpus_jump_entry bad_jump __used __section("__jump_table")
	__aligned(8) = {
	.code = (void *)livepatch_err_show,
	.target = (void *)0,
	.key = (void *)&klp_static_key,
};
#define ERR_EXTRA_USE() do { printk("%d\n", klp_static_key); } while (0)
#include "err-common.h"
