/* symbols-list error: two annotations give klp_homonym_counter different
 * positions -> conflicting-sympos */
#include "klp.h"
extern int klp_homonym_counter;
KLP_MODULE_RELOC(vmlinux) conflicting_relocs[] = {
	KLP_SYMPOS(klp_homonym_counter, 1),
	KLP_SYMPOS(klp_homonym_counter, 2),
};
#define ERR_EXTRA_USE() do { printk("%d\n", klp_homonym_counter); } while (0)
#include "err-common.h"
