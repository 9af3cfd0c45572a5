/*
 * Out-of-line GPR save/restore helpers that 32-bit PowerPC code built
 * with -Os calls (_savegpr_N, _restgpr_N, _restgpr_N_x).  kbuild links an
 * object like this into every ppc32 module; the corpus does the same so
 * those calls resolve inside the .ko.  r11 points at the save area top.
 */
	.section .text.crtsavres,"ax",@progbits

	.irp n,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.globl _savegpr_\n
	.type _savegpr_\n,@function
_savegpr_\n:
	stw \n,-4*(32-\n)(11)
	.endr
	blr

	.irp n,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.globl _restgpr_\n
	.type _restgpr_\n,@function
_restgpr_\n:
	lwz \n,-4*(32-\n)(11)
	.endr
	blr

	.irp n,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.globl _restgpr_\n\()_x
	.type _restgpr_\n\()_x,@function
_restgpr_\n\()_x:
	lwz \n,-4*(32-\n)(11)
	.endr
	lwz 0,4(11)
	mtlr 0
	mr 1,11
	blr
