/* SPDX-License-Identifier: MIT */
/*
 * Error strings, the fatal-error path and the logger. The fatal path is kept
 * apart from assert() because it must also abort in release builds, where
 * NDEBUG removes asserts: scheduling into the past corrupts a run's order
 * silently if it is not stopped.
 */
#include <blocsim/error.h>

#include <stdio.h>
#include <stdlib.h>

const char *bsim_strerror(int err)
{
	switch (err) {
	case BSIM_OK:
		return "success";
#define BSIM_ERR_MSG(name, value, msg)                                         \
	case BSIM_##name:                                                      \
		return msg;
		BSIM_ERR_MAP(BSIM_ERR_MSG)
#undef BSIM_ERR_MSG
	}
	return "unknown error";
}

const char *bsim_err_name(int err)
{
	switch (err) {
	case BSIM_OK:
		return "BSIM_OK";
#define BSIM_ERR_NAME(name, value, msg)                                        \
	case BSIM_##name:                                                      \
		return "BSIM_" #name;
		BSIM_ERR_MAP(BSIM_ERR_NAME)
#undef BSIM_ERR_NAME
	}
	return "BSIM_EUNKNOWN";
}

_Noreturn void bsim_fatal(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "blocsim: fatal: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	abort();
}

void bsim_log_at(enum bsim_log_level level, const char *file, int line,
		 const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info" };
	va_list ap;

	fprintf(stderr, "blocsim: %s: [%s:%d] ", names[level], file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
