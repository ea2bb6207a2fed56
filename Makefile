# SPDX-License-Identifier: GPL-2.0
#
# xtcp: build the module against Debian's linux-headers, and drive the test
# harnesses. `make demo` and `make check` are the two commands a new machine
# needs; both install their own dependencies first.

KVER ?= $(shell $(CURDIR)/scripts/kver.sh)
KDIR ?= /lib/modules/$(KVER)/build
BUILD ?= $(CURDIR)/build
export KVER KDIR BUILD

# In-VM programs: the selftests and the benchmark, all into /xtcp/bin. A
# program is one .c file, or a directory with a main.c (xinject/); each is
# linked with the selftest toolkit (scripts/selftests/lib/), built once.
SELFTEST_SRC := $(wildcard scripts/selftests/*.c scripts/bench/*.c)
SELFTEST_DIRS := $(patsubst %/main.c,%,$(wildcard scripts/selftests/*/main.c))
SELFTEST_BIN := $(addprefix $(BUILD)/selftests/,$(notdir $(SELFTEST_SRC:.c=) $(SELFTEST_DIRS)))
SELFTEST_LIB := $(BUILD)/selftests-lib/libxt.a
SELFTEST_LIB_OBJ := $(patsubst scripts/selftests/lib/%.c,$(BUILD)/selftests-lib/%.o,\
		    $(wildcard scripts/selftests/lib/*.c))
SELFTEST_HDR := $(wildcard scripts/selftests/lib/*.h) include/uapi/linux/xtcp.h
SELFTEST_CFLAGS := -static -O2 -g -Wall -Wextra -Werror -std=gnu11 -pthread \
		   -Iinclude/uapi -Iscripts/selftests/lib

# The preload library (scripts/preload/): dynamically linked, as the
# programs it goes into; xtcp-run finds it in ../lib/xtcp/ beside itself.
PRELOAD_LIB := $(BUILD)/preload/libxtcp-preload.so
PRELOAD_CFLAGS := -shared -fPIC -fvisibility=hidden -O2 -g -Wall -Wextra \
		  -Werror -std=gnu11 -pthread -Iinclude/uapi
PREFIX ?= /usr/local

.PHONY: all module deps check-kver selftests preload initramfs vm demo kunit vmtest \
	vmtest-6.12 dkms debugtest style check bench stress fuzz install clean

all: module

check-kver:
	@test -n "$(KVER)" || { echo "xtcp: no Debian linux-headers found; run 'make deps'" >&2; exit 1; }

# Kbuild writes an external module's objects into its M= directory, so
# xtcp.ko is built in a copy of the sources (scripts/modtree.sh) under
# $(BUILD): nothing is written beside the sources at the top of the tree.
MODDIR := $(BUILD)/module

module: check-kver
	scripts/modtree.sh $(MODDIR)
	$(MAKE) -C $(KDIR) M=$(MODDIR) W=1 modules

deps:
	scripts/deps.sh

# The toolkit sits outside $(BUILD)/selftests/: every file in there is a
# program that mkinitramfs.sh ships.
$(BUILD)/selftests-lib/%.o: scripts/selftests/lib/%.c $(SELFTEST_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(SELFTEST_CFLAGS) -c -o $@ $<

$(SELFTEST_LIB): $(SELFTEST_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/selftests/%: scripts/selftests/%.c $(SELFTEST_HDR) $(SELFTEST_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SELFTEST_CFLAGS) -o $@ $< $(SELFTEST_LIB)

$(BUILD)/selftests/%: scripts/bench/%.c $(SELFTEST_HDR) $(SELFTEST_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SELFTEST_CFLAGS) -o $@ $< $(SELFTEST_LIB)

.SECONDEXPANSION:
$(BUILD)/selftests/%: scripts/selftests/%/main.c \
		$$(wildcard scripts/selftests/$$*/*.c scripts/selftests/$$*/*.h) \
		$(SELFTEST_HDR) $(SELFTEST_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SELFTEST_CFLAGS) -Iscripts/selftests/$* -o $@ $(filter %.c,$^) \
		$(SELFTEST_LIB)

selftests: $(SELFTEST_BIN)

$(PRELOAD_LIB): scripts/preload/xtcp_preload.c include/uapi/linux/xtcp.h
	@mkdir -p $(dir $@)
	$(CC) $(PRELOAD_CFLAGS) -o $@ $< -ldl

# preload_check (the preload_api test) is linked dynamically: a static
# program never sees the library.
$(BUILD)/preload/preload_check: scripts/preload/preload_check.c include/uapi/linux/xtcp.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -Wall -Wextra -Werror -std=gnu11 -Iinclude/uapi -o $@ $<

preload: $(PRELOAD_LIB) $(BUILD)/preload/preload_check

initramfs: module selftests preload
	scripts/vm/mkinitramfs.sh

vm: deps
	$(MAKE) initramfs
	scripts/vm/run.sh shell

demo: deps
	$(MAKE) initramfs
	scripts/vm/run.sh demo

kunit:
	scripts/kunit.sh

vmtest:
	$(MAKE) initramfs
	scripts/vm/run.sh test

# The VM suite on Debian's 6.12 kernel (headers and image fetched into
# the cache; xtcp.ko built in $(BUILD)/kernel-<release>).
vmtest-6.12: selftests
	scripts/vm/test-kernel.sh 6.12

# dkms add + dkms build against the 6.1 and 6.12 headers, in private trees.
dkms:
	scripts/dkms.sh

# The test suite in a KASAN/lockdep/kmemleak kernel built from linux-source.
debugtest: deps
	scripts/debug/debugtest.sh

# The test initramfs plus perf (scripts/bench/initramfs.sh);
# 2 GB so that 1000 connections holding 64 kB each stay under both
# stacks' memory-pressure marks (a sixteenth of the RAM).
bench:
	scripts/deps.sh bench
	$(MAKE) initramfs
	initrd=$$(scripts/bench/initramfs.sh) && \
		XTCP_VM_INITRD=$$initrd XTCP_VM_MEM=$${XTCP_VM_MEM:-2G} scripts/vm/run.sh bench

# Long runs (make stress, make fuzz): in the debug kernel by default, where
# KASAN, lockdep and kmemleak watch; XTCP_KERNEL=debian for Debian's own.
XTCP_KERNEL ?= debug
ifeq ($(XTCP_KERNEL),debian)
LONG_PREP = initramfs
LONG_RUN = scripts/vm/run.sh test
else ifeq ($(XTCP_KERNEL),debug)
LONG_PREP =
LONG_RUN = scripts/debug/debugtest.sh
else
LONG_RUN = $(error XTCP_KERNEL must be debug or debian)
endif

# The stress test for STRESS_SECS seconds (the stress_long entry of
# tests.list, which reads xtcp_stress_secs from the kernel command line).
STRESS_SECS ?= 600
stress: deps
	$(if $(LONG_PREP),$(MAKE) $(LONG_PREP))
	XTCP_VM_TIMEOUT=$$(($(STRESS_SECS) * 3 + 900)) \
	XTCP_VM_APPEND="$(XTCP_VM_APPEND) xtcp_stress_secs=$(STRESS_SECS)" \
		$(LONG_RUN) stress_long

# The long fuzz run: XTCP_FUZZ_ITERS segments (XTCP_FUZZ_SEED: a seed to
# replay; random by default), passed on the kernel command line. The debug
# kernel fuzzes about 20 times slower than Debian's (~1000 segments/s).
XTCP_FUZZ_ITERS ?= $(if $(LONG_PREP),5000000,500000)
fuzz: deps
	$(if $(LONG_PREP),$(MAKE) $(LONG_PREP))
	XTCP_VM_TIMEOUT=$${XTCP_VM_TIMEOUT:-$(if $(LONG_PREP),7500,36000)} \
	XTCP_VM_APPEND="$${XTCP_VM_APPEND:-} xtcp_fuzz_iters=$(XTCP_FUZZ_ITERS)$(if $(XTCP_FUZZ_SEED), xtcp_fuzz_seed=$(XTCP_FUZZ_SEED))" \
		$(LONG_RUN) fuzz_long

style: check-kver
	scripts/style.sh

check:
	scripts/check.sh

install: module
	$(MAKE) -C $(KDIR) M=$(MODDIR) modules_install
	install -D -m 0644 include/uapi/linux/xtcp.h $(DESTDIR)/usr/include/linux/xtcp.h
	$(MAKE) preload
	install -D -m 0755 $(PRELOAD_LIB) $(DESTDIR)$(PREFIX)/lib/xtcp/libxtcp-preload.so
	install -D -m 0755 scripts/preload/xtcp-run $(DESTDIR)$(PREFIX)/bin/xtcp-run

clean:
	rm -rf $(BUILD)
