# SPDX-License-Identifier: GPL-2.0
#
# xtcp: build the module against Debian's linux-headers, and drive the test
# harnesses. `make demo` and `make check` are the two commands a new machine
# needs; both install their own dependencies first.

KVER ?= $(shell $(CURDIR)/scripts/kver.sh)
KDIR ?= /lib/modules/$(KVER)/build
BUILD ?= $(CURDIR)/build
export KVER KDIR BUILD

# In-VM programs: the selftests and the benchmark, all into /xtcp/bin.
SELFTEST_SRC := $(wildcard scripts/selftests/*.c scripts/bench/*.c)
SELFTEST_BIN := $(addprefix $(BUILD)/selftests/,$(notdir $(SELFTEST_SRC:.c=)))
SELFTEST_CFLAGS := -static -O2 -g -Wall -Wextra -Werror -std=gnu11 -pthread \
		   -Iinclude/uapi -Iscripts/selftests

.PHONY: all module deps check-kver selftests initramfs vm demo kunit vmtest \
	style check bench fuzz install clean

all: module

check-kver:
	@test -n "$(KVER)" || { echo "xtcp: no Debian linux-headers found; run 'make deps'" >&2; exit 1; }

module: check-kver
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

deps:
	scripts/deps.sh

$(BUILD)/selftests/%: scripts/selftests/%.c $(wildcard scripts/selftests/*.h) include/uapi/linux/xtcp.h
	@mkdir -p $(dir $@)
	$(CC) $(SELFTEST_CFLAGS) -o $@ $<

$(BUILD)/selftests/%: scripts/bench/%.c $(wildcard scripts/selftests/*.h) include/uapi/linux/xtcp.h
	@mkdir -p $(dir $@)
	$(CC) $(SELFTEST_CFLAGS) -o $@ $<

selftests: $(SELFTEST_BIN)

initramfs: module selftests
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

bench: deps
	$(MAKE) initramfs
	scripts/vm/run.sh bench

# The long fuzz run: XTCP_FUZZ_ITERS segments (XTCP_FUZZ_SEED: a seed to
# replay; random by default), passed on the kernel command line.
XTCP_FUZZ_ITERS ?= 5000000
fuzz: deps
	$(MAKE) initramfs
	XTCP_VM_TIMEOUT=$${XTCP_VM_TIMEOUT:-7500} \
	XTCP_VM_APPEND="$${XTCP_VM_APPEND:-} xtcp_fuzz_iters=$(XTCP_FUZZ_ITERS)$(if $(XTCP_FUZZ_SEED), xtcp_fuzz_seed=$(XTCP_FUZZ_SEED))" \
		scripts/vm/run.sh test fuzz_long

style: check-kver
	scripts/style.sh

check:
	scripts/check.sh

install: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	install -D -m 0644 include/uapi/linux/xtcp.h $(DESTDIR)/usr/include/linux/xtcp.h

clean:
	-test -z "$(KVER)" || $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)
