/* test_progress.c - the progress store (progress.h): records, damaged
 * files, unknown record types, read-only files, concurrent writers and
 * kill -9 during saves. */
#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/paths.h"
#include "base/str.h"
#include "course/progress.h"
#include "t.h"

static char tmpdir[256];

static void reset_state(void)
{
	char cmd[600];

	pf_fmt(cmd, sizeof(cmd), "rm -rf '%s/state'", tmpdir);
	if (system(cmd) != 0)
		printf("  could not clear the state dir\n");
	pf_progress_take_warning();
}

static int count_files(const char *prefix)
{
	char dir[400];
	DIR *d;
	struct dirent *de;
	int n = 0;

	pf_fmt(dir, sizeof(dir), "%s", pf_paths_statedir());
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (pf_startswith(de->d_name, prefix))
			n++;
	closedir(d);
	return n;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_empty(void)
{
	struct pf_progress p;
	struct pf_err err = { 0 };
	struct stat st;

	reset_state();
	CHECK(pf_progress_load(&p, &err) == 0);
	CHECK_INT(p.nread + p.nexercises + p.nquizzes, 0);
	CHECK(pf_progress_take_warning() == NULL);
	/* Reading creates nothing. */
	CHECK(stat(pf_paths_statedir(), &st) != 0);
	pf_progress_release(&p);
}

static void test_records(void)
{
	struct pf_progress p;
	struct pf_err err = { 0 };
	const struct pf_progress_quiz *q;
	const struct pf_progress_exercise *x;

	reset_state();
	CHECK(pf_progress_mark_read(3, &err) == 0);
	CHECK(pf_progress_mark_read(1, &err) == 0);
	CHECK(pf_progress_mark_read(3, &err) == 0);
	CHECK(pf_progress_record_quiz(2, 4, 7, &err) == 0);
	CHECK(pf_progress_record_quiz(2, 6, 7, &err) == 0);
	CHECK(pf_progress_record_quiz(2, 5, 7, &err) == 0);
	CHECK(pf_progress_record_exercise("01-sales-report", 0, NULL, &err) == 0);
	CHECK(pf_progress_record_exercise("01-sales-report", 1, "4.8x fewer\tCPU samples", &err) == 0);
	CHECK(pf_progress_record_exercise("01-sales-report", 0, NULL, &err) == 0);
	CHECK(pf_progress_record_exercise("02-log-clients", 0, NULL, &err) == 0);
	CHECK(pf_progress_set_position("lesson:3:120", &err) == 0);
	CHECK(pf_progress_record_quiz(2, 8, 7, &err) == PF_EUSAGE);
	CHECK(pf_progress_record_quiz(0, 1, 7, &err) == PF_EUSAGE);
	CHECK(pf_progress_record_exercise("", 1, NULL, &err) == PF_EUSAGE);
	CHECK(pf_progress_load(&p, &err) == 0);
	CHECK_INT(p.nread, 2);
	CHECK(p.nread == 2 && p.read[0] == 1 && p.read[1] == 3);
	CHECK(pf_progress_has_read(&p, 3) && !pf_progress_has_read(&p, 2));
	q = pf_progress_find_quiz(&p, 2);
	if (CHECK(q != NULL)) {
		CHECK_INT(q->attempts, 3);
		CHECK_INT(q->best, 6);
		CHECK_INT(q->last, 5);
		CHECK_INT(q->total, 7);
		CHECK(q->time > 0);
	}
	x = pf_progress_find_exercise(&p, "01-sales-report");
	if (CHECK(x != NULL)) {
		CHECK_INT(x->passed, 1); /* a later failing check does not undo it */
		CHECK_INT(x->attempts, 3);
		CHECK_STR(x->gain, "4.8x fewer CPU samples"); /* the tab cleaned */
	}
	x = pf_progress_find_exercise(&p, "02-log-clients");
	CHECK(x && !x->passed && x->gain[0] == '\0');
	CHECK_STR(p.position, "lesson:3:120");
	CHECK(pf_progress_take_warning() == NULL);
	pf_progress_release(&p);
}

static void test_json(void)
{
	struct pf_progress p;
	struct pf_err err = { 0 };
	struct pf_buf out = PF_BUF_INIT;

	reset_state();
	setenv("PROFLAB_LEARNER", "ada \"the\" learner", 1);
	CHECK(pf_progress_record_quiz(4, 5, 6, &err) == 0);
	CHECK(pf_progress_record_exercise("02-log-clients", 1, "12x faster", &err) == 0);
	CHECK(pf_progress_mark_read(2, &err) == 0);
	CHECK(pf_progress_load(&p, &err) == 0);
	pf_progress_json(&p, &out);
	CHECK(strstr(out.data, "\"version\": 1") != NULL);
	CHECK(strstr(out.data, "\"learner\": \"ada \\\"the\\\" learner\"") != NULL);
	CHECK(strstr(out.data, "\"chapter\": 4") != NULL);
	CHECK(strstr(out.data, "\"best\": 5") != NULL);
	CHECK(strstr(out.data, "\"total\": 6") != NULL);
	CHECK(strstr(out.data, "\"best_percent\": 83.3") != NULL);
	CHECK(strstr(out.data, "\"passed\": true") != NULL);
	CHECK(strstr(out.data, "\"gain\": \"12x faster\"") != NULL);
	CHECK(strstr(out.data, "\"position\": null") != NULL);
	CHECK(strstr(out.data, "\"chapters_read\"") != NULL);
	if (t_case_failed)
		printf("%s", out.data);
	pf_buf_release(&out);
	pf_progress_release(&p);
	unsetenv("PROFLAB_LEARNER");
}

static void write_bytes(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f) {
		if (fwrite(data, 1, len, f) != len)
			printf("  could not write %s\n", path);
		fclose(f);
	}
}

static void read_back(const char *path, struct pf_buf *b)
{
	pf_buf_truncate(b, 0);
	if (pf_buf_read_file(b, path) < 0)
		pf_buf_truncate(b, 0);
}

/* The one progress.corrupt-* file's contents into b. */
static void read_aside(struct pf_buf *b)
{
	char path[600];
	DIR *d = opendir(pf_paths_statedir());
	struct dirent *de;

	pf_buf_truncate(b, 0);
	while (d && (de = readdir(d)))
		if (pf_startswith(de->d_name, "progress.corrupt-")) {
			pf_fmt(path, sizeof(path), "%s/%s", pf_paths_statedir(), de->d_name);
			pf_buf_read_file(b, path);
		}
	if (d)
		closedir(d);
}

/*
 * A damaged file: the next save keeps every readable record, copies the
 * old file aside byte for byte, and says which line was bad.
 */
static void test_corrupt(void)
{
	static const struct {
		const char *text;
		size_t len;      /* 0: strlen(text) */
		const char *why; /* in the warning */
		int nread;       /* chapters read kept */
		int best, attempts; /* quiz 1 after recording 3/6 */
	} bad[] = {
		{ "garbage\n", 0, "line 1 is not", 0, 3, 1 },
		/* no end line: the records before are kept */
		{ "proflab-progress 1\nquiz\t1\t1\t5\t6\t5\t0\n", 0, "no end line", 0, 5, 2 },
		/* best > total */
		{ "proflab-progress 1\nread\t2\t0\nquiz\t1\t1\t9\t6\t5\t0\nend\n", 0,
		  "line 3: not a valid quiz record", 1, 3, 1 },
		{ "proflab-progress 1\nread\tx\t0\nend\n", 0, "line 2: not a valid read record", 0, 3, 1 },
		{ "proflab-progress 1\nread\t2\t0\n\033[31m\nend\n", 0, "line 3: not a progress record",
		  1, 3, 1 },
		/* last line without newline: cut short, dropped */
		{ "proflab-progress 1\nread\t1\t0", 0, "line 2 is cut short", 0, 3, 1 },
		{ "proflab-progress 1\nread\t2\t0\nre\0ad\t1\t0\nend\n", 42, "line 3 holds NUL bytes", 1,
		  3, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pf_progress p;
		struct pf_err err = { 0 };
		struct pf_buf aside = PF_BUF_INIT;
		size_t len = bad[i].len ? bad[i].len : strlen(bad[i].text);
		const struct pf_progress_quiz *q;
		const char *w;

		reset_state();
		CHECK(pf_progress_mark_read(1, &err) == 0); /* creates the dir */
		write_bytes(pf_progress_path(), bad[i].text, len);
		CHECK(pf_progress_record_quiz(1, 3, 6, &err) == 0);
		w = pf_progress_take_warning();
		if (!CHECK(w != NULL && strstr(w, pf_progress_path()) && strstr(w, bad[i].why) &&
			   strstr(w, "kept what could be read") && strstr(w, "progress.corrupt-"))) {
			printf("    case %zu: warning %s\n", i, w ? w : "(none)");
			continue;
		}
		CHECK_INT(count_files("progress.corrupt-"), 1);
		/* The old contents are kept, byte for byte. */
		read_aside(&aside);
		CHECK(aside.len == len && memcmp(aside.data, bad[i].text, len) == 0);
		pf_buf_release(&aside);
		/* The new store holds the readable records and the new one, and
		 * loads cleanly. */
		CHECK(pf_progress_load(&p, &err) == 0);
		CHECK(pf_progress_take_warning() == NULL);
		q = pf_progress_find_quiz(&p, 1);
		if (!CHECK(q && q->best == bad[i].best && q->attempts == bad[i].attempts &&
			   (int)p.nread == bad[i].nread))
			printf("    case %zu: best %d attempts %d nread %zu\n", i, q ? q->best : -1,
			       q ? q->attempts : -1, p.nread);
		pf_progress_release(&p);
	}
	/* Two corruptions in the same second keep both files. */
	{
		struct pf_err err = { 0 };

		reset_state();
		CHECK(pf_progress_mark_read(1, &err) == 0);
		write_file(pf_progress_path(), "junk 1\n");
		CHECK(pf_progress_mark_read(2, &err) == 0);
		write_file(pf_progress_path(), "junk 2\n");
		CHECK(pf_progress_mark_read(3, &err) == 0);
		CHECK_INT(count_files("progress.corrupt-"), 2);
		CHECK(pf_progress_take_warning() != NULL);
	}
}

/* Loading for display never moves or rewrites the file, damaged or not. */
static void test_load_leaves_file(void)
{
	static const char text[] = "proflab-progress 1\nread\t2\t0\nquiz\t4\tbroken\n"
				   "quiz\t1\t1\t5\t6\t5\t0\nend\n";
	struct pf_progress p;
	struct pf_err err = { 0 };
	struct pf_buf now = PF_BUF_INIT;
	struct stat before, after;
	const char *w;

	reset_state();
	CHECK(pf_progress_mark_read(1, &err) == 0);
	write_file(pf_progress_path(), text);
	CHECK(stat(pf_progress_path(), &before) == 0);
	CHECK(pf_progress_load(&p, &err) == 0);
	w = pf_progress_take_warning();
	if (!CHECK(w && strstr(w, pf_progress_path()) && strstr(w, "line 3: not a valid quiz record") &&
		   strstr(w, "left as it is")))
		printf("    warning: %s\n", w ? w : "(none)");
	/* Everything readable is shown. */
	CHECK(pf_progress_has_read(&p, 2));
	CHECK(pf_progress_find_quiz(&p, 1) != NULL);
	pf_progress_release(&p);
	CHECK(stat(pf_progress_path(), &after) == 0);
	CHECK(before.st_ino == after.st_ino);
	read_back(pf_progress_path(), &now);
	CHECK_STR(now.data, text);
	CHECK_INT(count_files("progress.corrupt-"), 0);
	pf_buf_release(&now);
}

/*
 * Records of types this version does not know (a newer proflab's) are
 * skipped without a warning and written back by every save; records after
 * the end line are read too.
 */
static void test_unknown_records(void)
{
	static const char text[] = "proflab-progress 1\nread\t1\t100\nbadge\tgold\tfrom a newer proflab\n"
				   "quiz\t2\t1\t4\t6\t4\t100\nstreak-days\t5\nend\nread\t3\t100\n";
	struct pf_progress p;
	struct pf_err err = { 0 };
	struct pf_buf now = PF_BUF_INIT;

	reset_state();
	CHECK(pf_progress_mark_read(1, &err) == 0);
	write_file(pf_progress_path(), text);
	CHECK(pf_progress_load(&p, &err) == 0);
	CHECK(pf_progress_take_warning() == NULL);
	CHECK(pf_progress_has_read(&p, 1) && pf_progress_has_read(&p, 3));
	CHECK(pf_progress_find_quiz(&p, 2) != NULL);
	pf_progress_release(&p);
	CHECK(pf_progress_record_quiz(2, 6, 6, &err) == 0);
	CHECK(pf_progress_take_warning() == NULL);
	read_back(pf_progress_path(), &now);
	CHECK(strstr(now.data, "\nbadge\tgold\tfrom a newer proflab\n") != NULL);
	CHECK(strstr(now.data, "\nstreak-days\t5\n") != NULL);
	CHECK(strstr(now.data, "\nquiz\t2\t2\t6\t6\t6\t") != NULL);
	CHECK(pf_endswith(now.data, "\nend\n"));
	CHECK_INT(count_files("progress.corrupt-"), 0);
	/* And again: kept once, not duplicated. */
	CHECK(pf_progress_mark_read(4, &err) == 0);
	read_back(pf_progress_path(), &now);
	CHECK(strstr(strstr(now.data, "badge") + 1, "badge") == NULL);
	if (t_case_failed)
		printf("%s", now.data);
	pf_buf_release(&now);
}

/* A store the learner made read-only is never replaced; its mode is kept
 * by saves. */
static void test_file_mode(void)
{
	struct pf_err err = { 0 };
	struct pf_buf before = PF_BUF_INIT, after = PF_BUF_INIT;
	struct stat st;

	reset_state();
	CHECK(pf_progress_mark_read(1, &err) == 0);
	CHECK(chmod(pf_progress_path(), 0600) == 0);
	CHECK(pf_progress_mark_read(2, &err) == 0);
	CHECK(stat(pf_progress_path(), &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK(chmod(pf_progress_path(), 0444) == 0);
	read_back(pf_progress_path(), &before);
	CHECK(pf_progress_record_quiz(1, 3, 6, &err) == PF_EFAIL);
	if (!CHECK(strstr(err.msg, pf_progress_path()) && strstr(err.msg, "read-only (mode 0444)")))
		printf("    error: %s\n", err.msg);
	read_back(pf_progress_path(), &after);
	CHECK_STR(after.data, before.data);
	CHECK(stat(pf_progress_path(), &st) == 0 && (st.st_mode & 07777) == 0444);
	CHECK_INT(count_files("progress.tmp."), 0);
	pf_buf_release(&before);
	pf_buf_release(&after);
}

/* Several processes recording at once lose nothing. */
static void test_concurrent(void)
{
	enum { PROCS = 4, EACH = 15 };
	struct pf_progress p;
	struct pf_err err = { 0 };
	const struct pf_progress_quiz *q;
	pid_t pids[PROCS];
	int i, status;
	char slug[32];

	reset_state();
	for (i = 0; i < PROCS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			int k, bad = 0;

			pf_fmt(slug, sizeof(slug), "0%d-ex", i + 1);
			for (k = 0; k < EACH; k++) {
				bad |= pf_progress_record_quiz(1, k % 6, 6, NULL) < 0;
				bad |= pf_progress_record_exercise(slug, 0, NULL, NULL) < 0;
			}
			_exit(bad);
		}
	}
	for (i = 0; i < PROCS; i++) {
		CHECK(waitpid(pids[i], &status, 0) == pids[i]);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	CHECK(pf_progress_load(&p, &err) == 0);
	q = pf_progress_find_quiz(&p, 1);
	CHECK(q && q->attempts == PROCS * EACH);
	CHECK_INT(p.nexercises, PROCS);
	for (i = 0; i < (int)p.nexercises; i++)
		CHECK_INT(p.exercises[i].attempts, EACH);
	CHECK(pf_progress_take_warning() == NULL);
	pf_progress_release(&p);
}

/* kill -9 at random moments during saves: the store always parses, and
 * holds at least what was recorded before the writer started. */
static void test_kill9(void)
{
	enum { ROUNDS = 40 };
	struct pf_progress p;
	struct pf_err err = { 0 };
	int r, status, corrupt = 0, lost = 0;
	long long seen = 0;

	reset_state();
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	CHECK(pf_progress_mark_read(1, &err) == 0);
	for (r = 0; r < ROUNDS; r++) {
		pid_t pid = fork();
		struct timespec ts;
		const struct pf_progress_quiz *q;

		if (pid == 0) {
			for (;;) {
				pf_progress_record_quiz(2, 1, 6, NULL);
				pf_progress_record_exercise("01-sales-report", 1, "2x", NULL);
			}
		}
		ts.tv_sec = 0;
		ts.tv_nsec = 2000000L + (long)(rand() % 48000) * 1000L;
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		CHECK(pf_progress_load(&p, &err) == 0);
		if (pf_progress_take_warning())
			corrupt++;
		q = pf_progress_find_quiz(&p, 2);
		/* Attempts only grow, and the first record is still there. */
		if (!pf_progress_has_read(&p, 1) || (q && q->attempts < seen))
			lost++;
		if (q)
			seen = q->attempts;
		pf_progress_release(&p);
	}
	CHECK_INT(corrupt, 0);
	CHECK_INT(lost, 0);
	CHECK(seen > 0); /* the writers did get saves through */
	/* The next save clears temporary files left by killed writers. */
	CHECK(pf_progress_mark_read(2, &err) == 0);
	CHECK_INT(count_files("progress.tmp."), 0);
	CHECK_INT(count_files("progress.corrupt-"), 0);
}

int main(void)
{
	char state[300];
	char cmd[300];

	pf_fmt(tmpdir, sizeof(tmpdir), "/tmp/proflab-test-progress.XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	pf_fmt(state, sizeof(state), "%s/state", tmpdir);
	setenv("XDG_STATE_HOME", state, 1);
	T_RUN(test_empty);
	T_RUN(test_records);
	T_RUN(test_json);
	T_RUN(test_corrupt);
	T_RUN(test_load_leaves_file);
	T_RUN(test_unknown_records);
	T_RUN(test_file_mode);
	T_RUN(test_concurrent);
	T_RUN(test_kill9);
	pf_fmt(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("  could not remove %s\n", tmpdir);
	return t_exit();
}
