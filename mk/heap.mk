# mk/heap.mk - extra targets of the heap profiler.
#
#   make stress-heap   the threads case of test_rt_heap for the full 20 s
#                      (make test runs it for 3 s)

.PHONY: stress-heap
stress-heap: $(BUILD)/tests/unit/test_rt_heap
	HEAP_STRESS_SECONDS=20 $(BUILD)/tests/unit/test_rt_heap
