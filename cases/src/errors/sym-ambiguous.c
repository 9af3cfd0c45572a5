/* symbols-list error: klp_homonym_counter is listed twice in vmlinux and
 * no KLP_SYMPOS annotation says which one -> ambiguous-symbol */
extern int klp_homonym_counter;
#define ERR_EXTRA_USE() do { printk("%d\n", klp_homonym_counter); } while (0)
#include "err-common.h"
