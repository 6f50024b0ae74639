/* progress.c - the progress store (placeholder until it is built). */
#include "progress.h"

int pf_progress_mark_read(int number, struct pf_err *err)
{
	(void)number;
	return pf_err_set(err, PF_EFAIL, "progress is not kept in this version");
}

int pf_progress_record_exercise(const char *slug, int passed, const char *gain,
				struct pf_err *err)
{
	(void)slug;
	(void)passed;
	(void)gain;
	return pf_err_set(err, PF_EFAIL, "progress is not kept in this version");
}

int pf_progress_record_quiz(int number, int score, int total, struct pf_err *err)
{
	(void)number;
	(void)score;
	(void)total;
	return pf_err_set(err, PF_EFAIL, "progress is not kept in this version");
}

int pf_progress_set_position(const char *position, struct pf_err *err)
{
	(void)position;
	return pf_err_set(err, PF_EFAIL, "progress is not kept in this version");
}

const char *pf_progress_take_warning(void)
{
	return 0;
}
