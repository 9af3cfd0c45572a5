/* symbols-list error: sympos 3 for a name vmlinux has only twice
 * -> bad-sympos */
#include "klp.h"
extern int klp_homonym_counter;
KLP_MODULE_RELOC(vmlinux) beyond_relocs[] = {
	KLP_SYMPOS(klp_homonym_counter, 3),
};
#define ERR_EXTRA_USE() do { printk("%d\n", klp_homonym_counter); } while (0)
#include "err-common.h"
