# Makefile for the drive-through kiosk.  `make run` and `make test` are all the
# set-up anyone needs: both install missing Debian packages first (`make deps`).

CC       ?= cc
BUILD    := build
# Debian packages the kiosk, its tests and its evaluation need.
DEB_PKGS := pkg-config make gcc libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us \
            libyaml-dev libsndfile1-dev libspeexdsp-dev libsqlite3-dev libcmocka-dev \
            portaudio19-dev libsdl2-dev libsdl2-ttf-dev libespeak-ng-dev fonts-dejavu-core \
            espeak-ng sox python3 time gnuplot-nox libpng-dev \
            pulseaudio pulseaudio-utils libasound2-plugins clang libclang-rt-dev libjansson-dev \
            pocketsphinx libncurses-dev tmux gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
            libmosquitto-dev mosquitto mosquitto-clients chromium libpulse-dev \
            gcc-avr avr-libc binutils-avr simavr libsimavr-dev libsimavrparts1
PC_LIBS  := pocketsphinx sphinxbase yaml-0.1 sndfile speexdsp sqlite3 portaudio-2.0 espeak-ng sdl2 SDL2_ttf libpng jansson ncursesw libmosquitto cmocka libpulse-simple
# Commands the tests need besides the libraries.
DEP_CMDS := pkg-config espeak-ng sox python3 time gnuplot pulseaudio paplay pactl tmux aarch64-linux-gnu-gcc mosquitto_sub chromium avr-gcc

# Recursively expanded on purpose: pkg-config runs when a recipe needs it,
# after the deps check has installed what was missing.
PC_CFLAGS = $(shell pkg-config --cflags $(PC_LIBS))
PC_LDLIBS = $(shell pkg-config --libs pocketsphinx sphinxbase yaml-0.1 sndfile speexdsp sqlite3 portaudio-2.0 espeak-ng sdl2 SDL2_ttf libpng jansson ncursesw libmosquitto)
CFLAGS   ?= -O2 -g
WARN     := -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror
ALL_CFLAGS = $(WARN) $(CFLAGS) $(PC_CFLAGS) -I$(BUILD) -MMD -MP
LDLIBS   = $(PC_LDLIBS) -lm -lpthread
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# Quiet by default: one short line a step (`CC src/x.c`); `make V=1` shows the
# whole commands.  Compiler warnings and errors are shown in full either way.
ifeq ($(V),1)
Q    :=
say   =
else
Q    := @
say   = @printf '  %-9s %s\n' '$(1)' '$(2)';
endif

# The version: VERSION, plus `git describe` when building from a git checkout
# (not from a tarball).  build/version.h is rewritten only when it changes.
KIOSK_VERSION := $(strip $(shell cat VERSION))
GIT_DESCRIBE  := $(if $(wildcard .git),$(shell git describe --always --dirty 2>/dev/null))

# The speaker post's firmware logic with the host hal (firmware/hal/host):
# linked into the kiosk (`kiosk post-sim` runs it) and so into every test.
# $(sort) also drops a file named twice (src/post/ uses firmware/proto too).
FW_LOGIC_SRC := firmware/post.c firmware/debounce.c firmware/proto/frame.c firmware/proto/link.c
FW_HOST_SRC  := $(FW_LOGIC_SRC) $(sort $(wildcard firmware/hal/host/*.c))
CORE_SRC := $(sort $(filter-out src/main.c,$(shell find src -name '*.c')) $(FW_HOST_SRC))
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
SAN_OBJ  := $(CORE_SRC:%.c=$(BUILD)/san/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_SAN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests-san/%)

.SECONDARY:

.PHONY: check cross firmware all test unit unit-san speech e2e run eval bench deps deps-check clean demo rig FORCE

all: $(BUILD)/kiosk

# ---- dependencies -------------------------------------------------------
deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	else echo "all Debian packages present"; fi

# Calls `deps` only when pkg-config cannot find a library or a tool is missing;
# checked again when this Makefile changes (a package added to the lists).
$(BUILD)/.deps-ok: Makefile
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists $(PC_LIBS) || \
	    ! ( for c in $(DEP_CMDS); do command -v $$c >/dev/null || exit 1; done ) || \
	    [ ! -f /usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict ] || [ ! -x /usr/sbin/mosquitto ] || \
	    [ ! -f /usr/lib/avr/include/avr/io.h ] || [ ! -f /usr/include/simavr/sim_avr.h ]; then \
	  $(MAKE) --no-print-directory deps; fi
	@mkdir -p $(BUILD) && touch $@
deps-check: $(BUILD)/.deps-ok

# ---- the program --------------------------------------------------------
$(BUILD)/version.h: FORCE
	@mkdir -p $(BUILD)
	@printf '#define KIOSK_VERSION "%s"\n' '$(KIOSK_VERSION)$(if $(GIT_DESCRIBE), (git $(GIT_DESCRIBE)))' > $@.tmp; \
	  if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(BUILD)/obj/src/main.o $(BUILD)/san/src/main.o: $(BUILD)/version.h

$(BUILD)/obj/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -c $< -o $@

# (KIOSK_PTM_PLAIN: ptm.c's kernels for plain x86-64 only, so that the tests
# run those too on a machine with AVX2; see ptm.c)
$(BUILD)/san/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(call say,CC (asan),$<)$(CC) $(ALL_CFLAGS) $(SAN) -DKIOSK_PTM_PLAIN -c $< -o $@

$(BUILD)/kiosk: $(BUILD)/obj/src/main.o $(CORE_OBJ)
	$(call say,LD,$@)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/kiosk-san: $(BUILD)/san/src/main.o $(SAN_OBJ)
	$(call say,LD (asan),$@)$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

# ---- the core, a library of its own ----------------------------------------
# The pure core (menu files, orders, the dialog, escalation, the report's
# figures) built with no adapter's flags, only libyaml's (the menu format): the
# unit tests of the core
# link this library and nothing else, so a core file that reaches for an
# adapter (audio, SQLite, the recogniser) no longer links.
LIB_SRC   := $(sort $(wildcard src/menu/*.c src/order/*.c src/dialog/*.c src/report/*.c)) src/util/util.c src/crew/escalate.c src/crew/words.c
LIB_TESTS := test_menu test_order test_parse test_lexicon test_dict test_escalate test_lane test_dialog test_util test_report test_turnshape
LIB_CFLAGS = $(WARN) $(CFLAGS) $(shell pkg-config --cflags yaml-0.1 cmocka) -MMD -MP
LIB_LIBS   = $(shell pkg-config --libs yaml-0.1) -lm
$(BUILD)/core/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(call say,CC core,$<)$(CC) $(LIB_CFLAGS) -c $< -o $@
$(BUILD)/core-san/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(call say,CC core (asan),$<)$(CC) $(LIB_CFLAGS) $(SAN) -c $< -o $@
$(BUILD)/libkiosk-core.a: $(LIB_SRC:%.c=$(BUILD)/core/%.o)
	$(call say,AR,$@)ar rcs $@ $^
$(BUILD)/libkiosk-core-san.a: $(LIB_SRC:%.c=$(BUILD)/core-san/%.o)
	$(call say,AR (asan),$@)ar rcs $@ $^
$(LIB_TESTS:%=$(BUILD)/tests/%): $(BUILD)/tests/%: $(BUILD)/core/tests/unit/%.o $(BUILD)/libkiosk-core.a
	@mkdir -p $(dir $@)
	$(call say,LD core,$@)$(CC) $(CFLAGS) -o $@ $^ $(LIB_LIBS) -lcmocka
$(LIB_TESTS:%=$(BUILD)/tests-san/%): $(BUILD)/tests-san/%: $(BUILD)/core-san/tests/unit/%.o $(BUILD)/libkiosk-core-san.a
	@mkdir -p $(dir $@)
	$(call say,LD core (asan),$@)$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LIB_LIBS) -lcmocka

# ---- tests --------------------------------------------------------------
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(BUILD)/tests-san/%: $(BUILD)/san/tests/unit/%.o $(SAN_OBJ)
	@mkdir -p $(dir $@)
	$(call say,LD (asan),$@)$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS) -lcmocka

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; timeout 300 $$t || { echo "$$t failed or hung (status $$?)"; exit 1; }; done

unit-san: $(UNIT_SAN)
	@set -e; for t in $(UNIT_SAN); do echo "== $$t (asan+ubsan)"; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 timeout 600 $$t || \
	  { echo "$$t failed or hung (status $$?)"; exit 1; }; done

# The quick tier: every unit test but the recogniser's (test_asr decodes
# speech), plain and under the sanitizers, two at a time, then the end-to-end
# checks that need no speech (kiosk report's opens its page in headless
# Chromium: some 20 s of it).  About a minute and a half on a built tree;
# `make test` stays the whole.
CHECK_UNITS := $(filter-out test_asr,$(UNIT_SRC:tests/unit/%.c=%))
CHECK_E2E   := tests/e2e/crew_screen.sh tests/e2e/script.sh tests/e2e/export.sh tests/e2e/report.sh
check: $(BUILD)/kiosk
	@start=$$(date +%s.%N); \
	$(MAKE) --no-print-directory -j2 $(CHECK_UNITS:%=$(BUILD)/check/%.ok) $(CHECK_UNITS:%=$(BUILD)/check/%.san-ok) && \
	for t in $(CHECK_E2E); do SCRIPT_NO_SPEECH=1 KIOSK=$(BUILD)/kiosk bash $$t || exit 1; done && \
	python3 -c "import sys,time; print(f'make check: passed in {time.time() - float(sys.argv[1]):.0f} s')" "$$start"
$(BUILD)/check/%.ok: $(BUILD)/tests/% FORCE
	@mkdir -p $(dir $@)
	$(call say,TEST,$<)timeout 300 $< >$@.log 2>&1 || { rc=$$?; cat $@.log; echo "$< failed (status $$rc)"; exit 1; }
$(BUILD)/check/%.san-ok: $(BUILD)/tests-san/% FORCE
	@mkdir -p $(dir $@)
	$(call say,TEST (asan),$<)ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 timeout 600 $< >$@.log 2>&1 || \
	  { rc=$$?; cat $@.log; echo "$< failed (status $$rc)"; exit 1; }

e2e: $(BUILD)/kiosk $(BUILD)/kiosk-san $(BUILD)/rig $(BUILD)/simpost $(BUILD)/firmware/post.elf
	@set -e; for t in tests/e2e/*.sh; do echo "== $$t"; KIOSK=$(BUILD)/kiosk KIOSK_SAN=$(BUILD)/kiosk-san bash $$t; done

# The development speech set: spoken by espeak-ng at test time, decoded by
# replay, scored, clean and with drive-through noise at 10 dB; fails when a
# target is missed (tests/speech/eval.py --check).  Then a fixed sixth of the
# real recordings (../shared/speech/real or $$KIOSK_REAL_SPEECH; skipped in one
# line when absent), clean and in kitchen noise at 10 dB, against its floors.
# And 16 turns with natural pauses through the live turn path offline: the
# adaptive endpoint (quick answers) must cut none of them (tests/speech/pauses.py).
speech: $(BUILD)/kiosk $(BUILD)/endpoint_wav
	$(call say,TEST,tests/speech/test_eval.py tests/speech/test_real_eval.py)python3 -m unittest tests/speech/test_eval.py tests/speech/test_real_eval.py
	$(call say,SPEECH,tests/speech/pauses.py --small: quick answers cut no natural pause)python3 tests/speech/pauses.py --tool $(BUILD)/endpoint_wav --small --check
	$(call say,SPEECH,tests/speech/eval.py clean and 10 dB)python3 tests/speech/eval.py --kiosk $(BUILD)/kiosk --noise clean,10 --check
	$(call say,SPEECH,tests/speech/real_eval.py the test part clean and 10 dB)python3 tests/speech/real_eval.py --kiosk $(BUILD)/kiosk --noise clean,10 --part test --check --out $(BUILD)/real-test

test: unit unit-san firmware cross e2e speech fuzz

# ---- the speaker post's firmware (firmware/README.md) ------------------------
# The same logic as FW_HOST_SRC with the AVR hal, for an ATmega328P at 16 MHz.
# Fails when it outgrows the chip's budget: 16 KB of flash (half the chip:
# room for a bootloader and growth) and 1 KB of RAM for static data (the rest
# of the 2 KB is the stack's).
AVR_CC      := avr-gcc
AVR_CFLAGS  := -mmcu=atmega328p -DF_CPU=16000000UL -Os -std=c11 -Wall -Wextra -Werror \
               -ffunction-sections -fdata-sections -MMD -MP
FW_SRC      := firmware/main.c $(FW_LOGIC_SRC) $(sort $(wildcard firmware/hal/avr/*.c))
FW_FLASH_MAX := 16384
FW_RAM_MAX   := 1024
$(BUILD)/firmware/obj/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(call say,CC avr,$<)$(AVR_CC) $(AVR_CFLAGS) -c $< -o $@
$(BUILD)/firmware/post.elf: $(FW_SRC:%.c=$(BUILD)/firmware/obj/%.o)
	$(call say,LD avr,$@)$(AVR_CC) -mmcu=atmega328p -Wl,--gc-sections -o $@ $^
$(BUILD)/firmware/post.hex: $(BUILD)/firmware/post.elf
	$(call say,HEX,$@)avr-objcopy -O ihex -R .eeprom $< $@
firmware: $(BUILD)/firmware/post.hex
	@avr-size --format=berkeley $(BUILD)/firmware/post.elf | awk 'NR == 2 { \
	  flash = $$1 + $$2; ram = $$2 + $$3; \
	  printf "  firmware  flash %d of %d bytes, RAM %d of %d bytes (data %d + bss %d)\n", \
	    flash, $(FW_FLASH_MAX), ram, $(FW_RAM_MAX), $$2, $$3; \
	  if (flash > $(FW_FLASH_MAX) || ram > $(FW_RAM_MAX)) { print "  firmware  over budget"; exit 1 } }'

# The post's firmware in simavr with its USART0 on a pty and its pins driven
# from stdin (tests/sim/simpost.c; tests/e2e/post.sh and the demo run it):
#   $(BUILD)/simpost $(BUILD)/firmware/post.elf
# simavr's include folder from its .pc by --variable: its --cflags want
# libelf.pc, which Debian ships only in libelf-dev (simavr needs no headers of
# it).  Not libsimavrparts: the bridge is its own (simpost.c says why).
SIMAVR_INC = $(shell pkg-config --variable=includedir simavr 2>/dev/null || echo /usr/include)/simavr
$(BUILD)/simpost: tests/sim/simpost.c firmware/proto/frame.c firmware/proto/frame.h firmware/proto/link.h | $(BUILD)/.deps-ok
	$(call say,CC LD,$@)$(CC) $(WARN) $(CFLAGS) -I$(SIMAVR_INC) -o $@ tests/sim/simpost.c firmware/proto/frame.c -lsimavr

# The core and the recogniser compile for an ARM board (the usual kiosk
# computer is Raspberry Pi class) with Debian's cross compiler.  Compiled, not
# linked: the libraries' headers are the host's (the same on arm64), its libc
# the cross compiler's own.
CROSS_CC  ?= aarch64-linux-gnu-gcc
CROSS_SRC := $(sort $(wildcard src/menu/*.c src/order/*.c src/dialog/*.c src/util/*.c src/speech/*.c))
SPHINX_INC = $(firstword $(foreach d,$(patsubst -I%,%,$(shell pkg-config --cflags-only-I sphinxbase)),$(if $(wildcard $(d)/fsg_model.h),$(d))))
cross: | $(BUILD)/.deps-ok
	@rm -rf $(BUILD)/cross && mkdir -p $(BUILD)/cross/inc
	@ln -s /usr/include/yaml.h $(BUILD)/cross/inc/yaml.h && ln -s $(SPHINX_INC) $(BUILD)/cross/inc/sphinxbase
	@set -e; for f in $(CROSS_SRC); do \
	  $(if $(Q),printf '  %-9s %s\n' 'CC arm64' "$$f";) \
	  $(CROSS_CC) $(WARN) -O2 -isystem $(BUILD)/cross/inc -isystem $(BUILD)/cross/inc/sphinxbase \
	    $$(pkg-config --cflags-only-I pocketsphinx | tr ' ' '\n' | grep pocketsphinx | sed 's/^-I/-isystem /') \
	    -c $$f -o $(BUILD)/cross/$$(basename $$f .c).o; done

# Every noise level; the reliability diagram goes to build/speech/reliability.png.
# Then all the real recordings, clean and at 10 dB, beside plain pocketsphinx.
eval: $(BUILD)/kiosk
	python3 tests/speech/eval.py --kiosk $(BUILD)/kiosk --noise clean,20,10,5
	python3 tests/speech/real_eval.py --kiosk $(BUILD)/kiosk --noise clean,10 --baseline

bench: $(BUILD)/kiosk $(BUILD)/bench_grammar $(BUILD)/bench_asr $(BUILD)/rig $(BUILD)/endpoint_wav $(BUILD)/pa_idle $(BUILD)/aec_wav
	bash tests/bench.sh $(BUILD)/kiosk

# Decode speed pass by pass (tests/bench_asr.c); bench.sh runs it.
$(BUILD)/bench_asr: $(BUILD)/obj/tests/bench_asr.o $(CORE_OBJ)
	$(call say,LD,$@)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The idle-CPU peer: plain PortAudio with the kiosk's streams (tests/pa_idle.c).
$(BUILD)/pa_idle: $(BUILD)/obj/tests/pa_idle.o
	$(call say,LD,$@)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Grammar compile time for a 100-item menu (tests/bench_grammar.c); bench.sh runs it.
$(BUILD)/bench_grammar: $(BUILD)/obj/tests/bench_grammar.o $(CORE_OBJ)
	$(call say,LD,$@)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The live kiosk on the sample menu; without a microphone, `make demo`.
run: $(BUILD)/kiosk
	$(Q)bash tests/run.sh $(BUILD)/kiosk menus/burger.yaml

# A car at the drive-through: the post's firmware in simavr (a car on the loop),
# a sample conversation through the whole live kiosk via a PulseAudio null sink.
demo: $(BUILD)/kiosk $(BUILD)/simpost $(BUILD)/firmware/post.elf
	$(Q)bash tests/demo.sh $(BUILD)/kiosk menus/burger.yaml

clean:
	rm -rf $(BUILD)

# Speaks a sentence with the kiosk's voice into a 16 kHz WAV (tests/say_wav.c):
#   $(BUILD)/say_wav "two cheeseburgers and a large coke" /tmp/t.wav
$(BUILD)/say_wav: $(BUILD)/obj/tests/say_wav.o $(CORE_OBJ)
	$(call say,LD,$@)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The echo rig (tests/rig/rig.c): the kiosk's loudspeaker back into its
# microphone through a delay, a room and the lane's noise, with customers
# talking over it; tests/rig/run.sh runs it.  Its own link line: libpulse-simple
# is the rig's, never the kiosk's (the kiosk reaches PulseAudio through PortAudio).
$(BUILD)/rig: tests/rig/rig.c | $(BUILD)/.deps-ok
	$(call say,CC LD,$@)$(CC) $(WARN) $(CFLAGS) $$(pkg-config --cflags libpulse-simple sndfile) -o $@ $< \
	  $$(pkg-config --libs libpulse-simple sndfile) -lm

# The live kiosk's turn-taking through the echo rig: 30 conversations, each
# with a fresh kiosk, scored (tests/rig/run.sh; about 16 minutes; figures
# printed, not asserted).  `bash tests/rig/run.sh 5` for the first five,
# `bash tests/rig/run.sh --echo 3` for the kiosk talking to nobody for 3 minutes.
rig: $(BUILD)/kiosk $(BUILD)/rig
	python3 -m unittest tests/rig/test_score.py
	bash tests/rig/run.sh

# The endpointer over a WAV file: event times in ms; with --adaptive the live
# turn path over many files, quick answers measured (tests/endpoint_wav.c).
$(BUILD)/endpoint_wav: $(BUILD)/obj/tests/endpoint_wav.o $(CORE_OBJ)
	$(call say,LD,$@)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The echo canceller over a microphone's and a loudspeaker's recordings: the
# delay found, ERLE and CPU time (tests/aec_wav.c):
#   $(BUILD)/aec_wav MIC.wav REF.wav [OUT.wav]
$(BUILD)/aec_wav: $(BUILD)/obj/tests/aec_wav.o $(CORE_OBJ)
	$(call say,LD,$@)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# ---- fuzzing --------------------------------------------------------------
# libFuzzer (clang, with ASan + UBSan) over the crew station's message parser,
# tests/fuzz/fuzz_crew.c, for FUZZ_SECONDS.  The seed corpus is made here from
# tests/fuzz/crew_seeds.txt (one message a line) and grows in $(BUILD)/fuzz-corpus;
# a crash is saved as $(BUILD)/fuzz-crash-* and fails the target.
FUZZ_SECONDS ?= 20
.PHONY: fuzz
$(BUILD)/fuzz_crew: tests/fuzz/fuzz_crew.c src/crew/proto.c src/crew/proto.h src/crew/words.c src/util/util.c src/util/util.h | $(BUILD)/.deps-ok
	$(call say,CLANG (fuzz),$@)clang $(WARN) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	  $$(pkg-config --cflags jansson) -o $@ tests/fuzz/fuzz_crew.c src/crew/proto.c src/crew/words.c src/util/util.c \
	  $$(pkg-config --libs jansson)

fuzz: $(BUILD)/fuzz_crew
	@mkdir -p $(BUILD)/fuzz-corpus
	@n=0; while IFS= read -r line; do n=$$((n+1)); printf '%s' "$$line" > $(BUILD)/fuzz-corpus/seed-$$n; \
	  done < tests/fuzz/crew_seeds.txt
	$(call say,FUZZ,$(BUILD)/fuzz_crew for $(FUZZ_SECONDS) s)$(BUILD)/fuzz_crew -max_total_time=$(FUZZ_SECONDS) -max_len=2048 -print_final_stats=1 \
	  -artifact_prefix=$(BUILD)/fuzz-crash- $(BUILD)/fuzz-corpus

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
