/* annotation error: an .altinstructions entry points at a pre-named
 * vmlinux-local symbol -> unsupported-section */
#include "klp.h"
#define ERR_CMDLINE_DECL extern char *saved_command_line \
	KLP_RELOC_SYMBOL(vmlinux, vmlinux, saved_command_line)
extern void klp_alt_target(void) KLP_RELOC_SYMBOL(vmlinux, vmlinux, klp_alt_target);
static void alt_repl(void) { }
static struct corpus_alt_entry bad_alt __used __section(".altinstructions") = {
	.orig = (void *)klp_alt_target,
	.repl = (void *)alt_repl,
	.feature = 3,
};
#define ERR_EXTRA_USE() do { klp_alt_target(); } while (0)
#include "err-common.h"
