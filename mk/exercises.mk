# mk/exercises.mk - the exercises' stress test.
#
#   make stress-exercises [ROUNDS=20]   every reference solution passes and
#                                       every pristine exercise fails, ROUNDS times
.PHONY: stress-exercises
ROUNDS ?= 20
stress-exercises: all
	@BUILD=$(BUILD) ROUNDS=$(ROUNDS) bash tests/stress/exercises.sh
