/* symbols-list error: klp_not_in_list appears in no object of
 * symbols.klp (and is not exported) -> missing-symbol */
extern int klp_not_in_list;
#define ERR_EXTRA_USE() do { printk("%d\n", klp_not_in_list); } while (0)
#include "err-common.h"
