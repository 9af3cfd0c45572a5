/*
 * Stand-in for the <module>.mod.c that modpost generates: module info
 * strings and the struct module placeholder, linked into every case with
 * "ld -r" next to the livepatch object, as kbuild does for a .ko.
 * Build with -DCORPUS_MODNAME=<name> (bare identifier).
 */
#ifndef CORPUS_MODNAME
#error "CORPUS_MODNAME must be defined"
#endif

#define __str1(x) #x
#define __str(x) __str1(x)
#define MODNAME_STR __str(CORPUS_MODNAME)

#define MODINFO(tag, text) \
	static const char __modinfo_##tag[] \
	__attribute__((section(".modinfo"), used, aligned(1))) = text

MODINFO(name, "name=" MODNAME_STR);
MODINFO(license, "license=GPL");
MODINFO(livepatch, "livepatch=Y");
MODINFO(depends, "depends=");
MODINFO(retpoline, "retpoline=Y");
MODINFO(intree, "intree=Y");
MODINFO(vermagic, "vermagic=6.1.0-corpus SMP preempt mod_unload ");

extern int init_module(void);
extern void cleanup_module(void);

/* placeholder with the fields a loader looks at first; padded like the
 * real struct so relocations land at realistic offsets */
struct module {
	int state;
	void *list_next, *list_prev;
	char name[56];
	void *pad[24];
	int (*init)(void);
	void *pad2[40];
	void (*exit)(void);
	void *pad3[8];
};

struct module __this_module
__attribute__((section(".gnu.linkonce.this_module"), used)) = {
	.name = MODNAME_STR,
	.init = init_module,
	.exit = cleanup_module,
};

MODINFO(srcversion, "srcversion=C0RPU5C0RPU5C0RPU5C0RPU5");
