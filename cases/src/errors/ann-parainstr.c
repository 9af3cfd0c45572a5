/* annotation error: a .parainstructions entry points at a pre-named
 * vmlinux-local symbol -> unsupported-section */
#include "klp.h"
#define ERR_CMDLINE_DECL extern char *saved_command_line \
	KLP_RELOC_SYMBOL(vmlinux, vmlinux, saved_command_line)
extern void klp_para_target(void) KLP_RELOC_SYMBOL(vmlinux, vmlinux, klp_para_target);
static struct corpus_para_patch_site bad_para __used
	__section(".parainstructions") = {
	.instr = (void *)klp_para_target,
	.type = 1,
	.len = 5,
};
#define ERR_EXTRA_USE() do { klp_para_target(); } while (0)
#include "err-common.h"
