# mk/cpu.mk - the CPU profiler's long robustness run (20 s at 5000 Hz).
.PHONY: stress-cpu
stress-cpu: deps
	@$(MAKE) --no-print-directory tests
	@BUILD=$(BUILD) CPU_STRESS_SECONDS=20 TEST_TIMEOUT=600 T=cpu_stress bash tests/run.sh
