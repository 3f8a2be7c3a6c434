/* SPDX-License-Identifier: MIT */
/**
 * @file engine.h
 * @brief The discrete-event engine: schedule, cancel, now, run_until, run,
 *        stop.
 *
 * The engine is an interface, not a data structure. A model schedules events
 * for a target entity (a 32-bit id the engine never interprets) with a small
 * payload that is copied in; it never sees event memory. Time is an integer
 * count of nanoseconds. Events fire in (time, sequence) order, where the
 * 64-bit sequence number is assigned at scheduling, so equal times fire in
 * scheduling order and runs are bit-for-bit reproducible.
 *
 * Programmer errors (scheduling before now, an unknown handler, a payload
 * that does not match its registration) print file:line and abort, in
 * release builds too.
 */
#ifndef BSIM_ENGINE_H
#define BSIM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Simulated time in nanoseconds since the start of the run. */
typedef uint64_t bsim_time_ns;

/** Largest representable time; run() stops before it. */
#define BSIM_TIME_MAX UINT64_MAX

/** Nanoseconds per second, for conversions at the model's edge. */
#define BSIM_NS_PER_S UINT64_C(1000000000)

/**
 * Opaque event handle: a pool slot and that slot's generation. A handle
 * outlives its event safely: cancelling it later is a no-op that returns
 * false. 0 (BSIM_EVENT_NONE) is never a valid handle.
 */
typedef uint64_t bsim_event;

/** The handle that names no event. */
#define BSIM_EVENT_NONE UINT64_C(0)

/** Bytes of payload an event can carry (copied in at scheduling). */
#define BSIM_PAYLOAD_MAX 32

/** Most handlers one engine can register. */
#define BSIM_HANDLERS_MAX 256

struct bsim_engine;

/**
 * An event handler. @p payload points at a copy of the bytes given at
 * scheduling, valid only during the call (NULL when the registered size is
 * 0). The handler may schedule, cancel and stop.
 */
typedef void (*bsim_handler_fn)(struct bsim_engine *engine, void *ctx,
				uint32_t target, const void *payload);

/** Pending-event structures of the native backend. */
enum bsim_queue_kind {
	BSIM_QUEUE_LADDER = 0, /**< Ladder queue: O(1) amortised; default. */
	BSIM_QUEUE_HEAP = 1,   /**< Implicit 4-ary heap: O(log n). */
};

/** Backends that can run the same model. */
enum bsim_backend {
	BSIM_BACKEND_NATIVE = 0, /**< blocsim's own engine (default). */
	BSIM_BACKEND_NS3 = 1,	 /**< ns3::Simulator through ns3/ (if built). */
};

/** Creation parameters. Zero-initialised means the defaults. */
struct bsim_engine_config {
	enum bsim_backend backend;  /**< Which engine runs the events. */
	enum bsim_queue_kind queue; /**< Native pending-event structure. */
	uint32_t capacity_hint;	    /**< Expected pending events (0: small). */
	/** ns-3 scheduler: "map" (NULL: ns-3's default), "heap",
	 *  "calendar", "list" or "priority". */
	const char *ns3_scheduler;
};

/** True if this build has the ns-3 backend. */
bool bsim_engine_has_ns3(void);

/**
 * Check a configuration without creating anything.
 * @return 0, BSIM_EINVAL (unknown backend, queue or ns-3 scheduler), or
 *         BSIM_EUNSUPPORTED (ns-3 in a build without it).
 */
int bsim_engine_check_config(const struct bsim_engine_config *cfg);

/**
 * Parse a queue name ("ladder", "calendar" (an alias of ladder), "heap").
 * @return 0 and *out set, or BSIM_EINVAL for an unknown name.
 */
int bsim_queue_from_name(const char *name, enum bsim_queue_kind *out);

/** Name of a queue kind ("ladder", "heap"); static string. */
const char *bsim_queue_name(enum bsim_queue_kind kind);

/**
 * Create an engine at time 0 with no events.
 * @param cfg configuration, or NULL for the defaults.
 * @param out receives the engine; the caller frees it with
 *            bsim_engine_destroy().
 * @return 0, BSIM_EINVAL for a bad configuration (an unknown queue or ns-3
 *         scheduler), BSIM_EUNSUPPORTED for ns-3 in a build without it,
 *         BSIM_EBACKEND when another ns-3 engine exists (ns-3's simulator
 *         is a process-wide singleton: one ns-3 engine at a time, a new one
 *         once the previous is destroyed), or BSIM_ENOMEM.
 */
int bsim_engine_create(const struct bsim_engine_config *cfg,
		       struct bsim_engine **out);

/** Free the engine and every pending event. Accepts NULL. */
void bsim_engine_destroy(struct bsim_engine *engine);

/**
 * Register a handler whose events carry exactly @p payload_size bytes
 * (0..BSIM_PAYLOAD_MAX). Handlers are registered before the run.
 * @return the handler id (0..BSIM_HANDLERS_MAX-1), or BSIM_EINVAL when the
 *         size is too large, @p fn is NULL, or the table is full.
 */
int bsim_engine_register(struct bsim_engine *engine, bsim_handler_fn fn,
			 void *ctx, size_t payload_size);

/**
 * Schedule handler @p handler for @p target at absolute time @p t_ns,
 * copying the handler's registered payload size from @p payload (which may
 * be NULL only when that size is 0). @p t_ns < now, or an unknown handler,
 * aborts with file:line. The pool grows when full; no allocation happens
 * per event otherwise.
 * @return the event's handle (never BSIM_EVENT_NONE).
 */
bsim_event bsim_engine_schedule_at(struct bsim_engine *engine,
				   bsim_time_ns t_ns, unsigned handler,
				   uint32_t target, const void *payload);

/**
 * As bsim_engine_schedule_at(), for an event that will never be
 * cancelled: there is no handle, so the native backend keeps no slot for
 * it (8 bytes less per pending event, and less work).
 */
void bsim_engine_post_at(struct bsim_engine *engine, bsim_time_ns t_ns,
			 unsigned handler, uint32_t target,
			 const void *payload);

/** As bsim_engine_schedule_at(), at now + @p delay_ns (overflow aborts). */
bsim_event bsim_engine_schedule_in(struct bsim_engine *engine,
				   bsim_time_ns delay_ns, unsigned handler,
				   uint32_t target, const void *payload);

/**
 * Cancel a pending event: its handle is dead at once and its payload is
 * released; the native backend reuses its slot once the stale queue entry
 * has left the queue (popped or purged), ns-3 at once.
 * @return true if the event was pending and is now cancelled; false (and
 *         nothing changes) if it already fired, was already cancelled, its
 *         slot was recycled, or @p ev is BSIM_EVENT_NONE.
 */
bool bsim_engine_cancel(struct bsim_engine *engine, bsim_event ev);

/** True if @p ev names an event that is still pending. */
bool bsim_engine_is_pending(const struct bsim_engine *engine, bsim_event ev);

/** Current simulated time in nanoseconds. */
bsim_time_ns bsim_engine_now(const struct bsim_engine *engine);

/**
 * Execute every event with time <= @p t_ns in (time, sequence) order, then
 * set now = @p t_ns (if @p t_ns >= now). A handler calling
 * bsim_engine_stop() ends the call after that handler; now is then the
 * stopped event's time and a later call resumes where it stopped.
 * @return 0 when every event up to @p t_ns ran, BSIM_ESTOPPED when stopped.
 */
int bsim_engine_run_until(struct bsim_engine *engine, bsim_time_ns t_ns);

/**
 * Execute events until none is pending or a handler stops the run; now
 * stays at the last event's time.
 * @return 0 when the queue ran empty, BSIM_ESTOPPED when stopped.
 */
int bsim_engine_run(struct bsim_engine *engine);

/** Ask the running loop to return after the current handler. */
void bsim_engine_stop(struct bsim_engine *engine);

/** Statistics of an engine, for benchmarks, tests and result files. */
struct bsim_engine_stats {
	uint64_t pending;	  /**< Events scheduled and not yet fired. */
	uint64_t executed;	  /**< Events fired since creation. */
	uint64_t scheduled;	  /**< Events scheduled since creation. */
	uint64_t cancelled;	  /**< Successful cancellations. */
	uint64_t pool_in_use;	  /**< Pool slots holding pending events. */
	uint64_t pool_capacity;	  /**< Pool slots allocated. */
	uint64_t queue_entries;	  /**< Entries in the queue, stale included. */
	uint64_t bytes_allocated; /**< Pool and queue memory in use (ever
				       touched), bytes. */
	/** Events the backend itself counted as executed (ns-3:
	 *  Simulator::GetEventCount() less run_until's own sentinels);
	 *  equals `executed`. */
	uint64_t backend_executed;
};

/** Fill @p out with the engine's current statistics. */
void bsim_engine_get_stats(const struct bsim_engine *engine,
			   struct bsim_engine_stats *out);

/** Backend and structure name, e.g. "native/ladder", "ns3/map". */
const char *bsim_engine_name(const struct bsim_engine *engine);

#ifdef __cplusplus
}
#endif

#endif /* BSIM_ENGINE_H */
