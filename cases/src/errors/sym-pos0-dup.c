/* symbols-list error: sympos 0 claims klp_homonym_counter is unique in
 * vmlinux, but it is listed twice there -> bad-sympos */
#include "klp.h"
extern int klp_homonym_counter;
KLP_MODULE_RELOC64(vmlinux) pos0_relocs[] = {
	KLP_SYMPOS(klp_homonym_counter, 0),
};
#define ERR_EXTRA_USE() do { printk("%d\n", klp_homonym_counter); } while (0)
#include "err-common.h"
