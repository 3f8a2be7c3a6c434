/* SPDX-License-Identifier: MIT */
/**
 * @file error.h
 * @brief Error codes, fatal errors and logging shared by every blocsim layer.
 *
 * Recoverable failures (bad input, I/O, allocation at set-up) return a
 * negative BSIM_E* code and never abort. Programmer errors (an event in the
 * past, an unknown handler) call bsim_fatal(), which prints file:line and
 * aborts in every build type, release included.
 */
#ifndef BSIM_ERROR_H
#define BSIM_ERROR_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

/** X-macro of every error: name, value, message. Values are negative. */
#define BSIM_ERR_MAP(XX)                                                       \
	XX(EINVAL, -1, "invalid argument")                                     \
	XX(ENOMEM, -2, "out of memory")                                        \
	XX(EIO, -3, "input/output error")                                      \
	XX(EPARSE, -4, "malformed input")                                      \
	XX(ERANGE, -5, "value out of range")                                   \
	XX(ENOTFOUND, -6, "not found")                                         \
	XX(EUNSUPPORTED, -7, "not supported in this build")                    \
	XX(ESTOPPED, -8, "run stopped before its end")                         \
	XX(EBACKEND, -9, "simulation backend failure")

/** Error codes; 0 (BSIM_OK) is success. */
enum bsim_err {
	BSIM_OK = 0,
#define BSIM_ERR_ENUM(name, value, msg) BSIM_##name = (value),
	BSIM_ERR_MAP(BSIM_ERR_ENUM)
#undef BSIM_ERR_ENUM
};

/** Message for an error code. Never NULL; the string is static. */
const char *bsim_strerror(int err);

/** Symbolic name ("BSIM_EINVAL") for an error code. Never NULL; static. */
const char *bsim_err_name(int err);

/** Source location of the caller, for bsim_fatal() and bsim_log(). */
#define BSIM_LOC __FILE__, __LINE__

/**
 * Print "blocsim: fatal: FILE:LINE: message" on stderr and abort().
 * For programmer errors only: the process cannot continue. Never returns.
 */
#ifdef __cplusplus
[[noreturn]]
#else
_Noreturn
#endif
void bsim_fatal(const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/** Log levels, most severe first. */
enum bsim_log_level { BSIM_LOG_ERROR, BSIM_LOG_WARN, BSIM_LOG_INFO };

/** Print "blocsim: LEVEL: [FILE:LINE] message" on stderr. */
void bsim_log_at(enum bsim_log_level level, const char *file, int line,
		 const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

/** Log with the caller's location. */
#define bsim_log(level, ...) bsim_log_at((level), BSIM_LOC, __VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif /* BSIM_ERROR_H */
