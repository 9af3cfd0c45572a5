/* symbols-list error: an .altinstructions entry points at a vmlinux-local
 * symbol; the kernel applies alternatives before livepatch relocations,
 * so this cannot be converted -> unsupported-section */
#include "klp.h"
extern void klp_alt_target(void);
static void alt_repl(void) { }
static struct corpus_alt_entry bad_alt __used __section(".altinstructions") = {
	.orig = (void *)klp_alt_target,
	.repl = (void *)alt_repl,
	.feature = 3,
};
#define ERR_EXTRA_USE() do { klp_alt_target(); } while (0)
#include "err-common.h"
