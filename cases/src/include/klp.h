/*
 * Freestanding stand-ins for the bits of the kernel's livepatch API that the
 * corpus sources need.  Nothing here comes from kernel headers: the structs
 * only have to look like a livepatch module to an ELF reader (function
 * pointers, name strings, sympos annotations, special sections).
 */
#ifndef CORPUS_KLP_H
#define CORPUS_KLP_H

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef unsigned long ulong;

#define NULL ((void *)0)

#define __used        __attribute__((used))
#define __noinline    __attribute__((noinline))
#define __section(s)  __attribute__((section(s)))
#define __aligned(n)  __attribute__((aligned(n)))
/* cold/hot helpers: the compiler files them in .text.unlikely / .text.hot */
#define __coldfn      __attribute__((cold, noinline, used))
#define __hotfn       __attribute__((hot, noinline, used))
/* what the kernel calls __init / __exit */
#define __initfn      __attribute__((section(".init.text"), cold, noinline, used))
#define __exitfn      __attribute__((section(".exit.text"), cold, noinline, used))
#define __read_mostly __attribute__((section(".data..read_mostly")))

/* compiler barrier: forces every access after it to be emitted again */
#define barrier()     __asm__ __volatile__("" ::: "memory")
#define READ_ONCE(x)  (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

/* ---- minimal livepatch boilerplate ---------------------------------- */
struct module;                       /* defined by the .mod.c part */
extern struct module __this_module;
#define THIS_MODULE (&__this_module)

struct klp_func {
	const char *old_name;        /* function being replaced */
	void *new_func;              /* its replacement in this module */
	ulong old_sympos;            /* kallsyms position of old_name */
	u8 nop, patched, transition;
};

struct klp_object {
	const char *name;            /* NULL means vmlinux */
	struct klp_func *funcs;
	void *callbacks[2];
};

struct klp_patch {
	struct module *mod;
	struct klp_object *objs;
	u8 replace;
};

#define KLP_FUNC(old, new_fn) { .old_name = old, .new_func = (void *)(new_fn) }
#define KLP_FUNC_POS(old, new_fn, pos) \
	{ .old_name = old, .new_func = (void *)(new_fn), .old_sympos = pos }

/* module entry points, spelled the way module_init()/module_exit() end up */
#define corpus_module_init(fn) \
	int init_module(void) __attribute__((alias(#fn)))
#define corpus_module_exit(fn) \
	void cleanup_module(void) __attribute__((alias(#fn)))

/* ---- exported kernel API (EXPORT_SYMBOL*): these relocations stay ---- */
extern int printk(const char *fmt, ...);
extern int snprintf(char *buf, ulong size, const char *fmt, ...);
extern int klp_enable_patch(struct klp_patch *patch);
extern void *kmalloc_simple(ulong size);   /* invented, listed as exported */
extern void kfree(const void *p);
extern unsigned long volatile jiffies;

/* ---- symbols-list dialect: KLP_SYMPOS annotations --------------------
 * Every entry becomes one relocation in .rela.klp.module_relocs.<obj>
 * pointing at the symbol; sympos is the kallsyms position to use.
 *
 * Layout "ptr": target-sized pointer then u32 -> 8 bytes on 32-bit
 * targets, 12 on 64-bit ones.
 * Layout "u64": the pointer shares a 64-bit slot, so every entry is 12
 * bytes whatever the target.
 */
struct klp_module_reloc {
	void *sym;
	u32 sympos;
} __attribute__((packed));

struct klp_module_reloc64 {
	union {
		void *sym;
		u64 sym64;
	};
	u32 sympos;
} __attribute__((packed));

#define KLP_MODULE_RELOC(obj) \
	static struct klp_module_reloc __used \
	__section(".klp.module_relocs." #obj)
#define KLP_MODULE_RELOC64(obj) \
	static struct klp_module_reloc64 __used \
	__section(".klp.module_relocs." #obj)
#define KLP_SYMPOS(symbol, pos) { .sym = (void *)&(symbol), .sympos = (pos) }

/* ---- annotation dialect: symbols named up front ----------------------
 * ".klp.sym.rela.<lpobj>.<symobj>.<name>,<pos>"; the comma forces the
 * label to be quoted for GNU as.  clang's integrated assembler takes an
 * asm label verbatim (quotes included), so it gets the bare name.
 */
#ifdef __clang__
#define KLP_RELOC_SYMBOL_POS(lpobj, symobj, sym, pos) \
	__asm__(".klp.sym.rela." #lpobj "." #symobj "." #sym "," #pos)
#else
#define KLP_RELOC_SYMBOL_POS(lpobj, symobj, sym, pos) \
	__asm__("\".klp.sym.rela." #lpobj "." #symobj "." #sym "," #pos "\"")
#endif
#define KLP_RELOC_SYMBOL(lpobj, symobj, sym) \
	KLP_RELOC_SYMBOL_POS(lpobj, symobj, sym, 0)

/* ---- special sections the kernel applies before livepatch relocs ---- */
struct corpus_alt_entry {            /* shaped like an .altinstructions entry */
	void *orig;
	void *repl;
	u32 feature;
};

struct corpus_jump_entry {           /* shaped like a __jump_table entry */
	void *code;
	void *target;
	void *key;
};

struct corpus_static_call_site {     /* shaped like .static_call_sites */
	void *addr;
	void *key;
};

struct corpus_para_patch_site {      /* shaped like .parainstructions */
	void *instr;
	u8 type, len;
};

#endif /* CORPUS_KLP_H */
