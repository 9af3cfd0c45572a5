/* symbols-list error: a .static_call_sites entry keyed on a vmlinux-local
 * static call -> unsupported-section */
#include "klp.h"
extern int klp_static_call_key;
int livepatch_err_show(void *m, void *v);
static struct corpus_static_call_site bad_site __used
	__section(".static_call_sites") = {
	.addr = (void *)livepatch_err_show,
	.key = (void *)&klp_static_call_key,
};
#define ERR_EXTRA_USE() do { printk("%d\n", klp_static_call_key); } while (0)
#include "err-common.h"
