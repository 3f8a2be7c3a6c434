/* SPDX-License-Identifier: MIT */
/**
 * @file model.h
 * @brief The roaming model: devices moving across a world's networks,
 *        registering through finite-capacity signalling nodes, and the
 *        visited networks' billing. Runs on any engine backend, which it
 *        never asks about; results are in simulated quantities only.
 *
 * Life cycle: bsim_model_create() places the devices and schedules their
 * first events on the engine; bsim_model_run() runs to the end of the
 * scenario's duration (in slices, calling a progress callback);
 * bsim_model_results() returns everything a result file holds; the model
 * owns the results until bsim_model_destroy().
 */
#ifndef BSIM_MODEL_H
#define BSIM_MODEL_H

#include <blocsim/engine.h>
#include <blocsim/geo.h>
#include <blocsim/rng.h>
#include <blocsim/world.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Signalling node kinds (flag_values of /signalling/nodes/kind). */
enum bsim_node_kind {
	BSIM_NODE_MME = 0,	/**< Visited MME/VLR/SGSN of an operator. */
	BSIM_NODE_HSS = 1,	/**< Home HSS/HLR of an operator. */
	BSIM_NODE_PLATFORM = 2, /**< Shared HSS pool of a platform. */
	BSIM_NODE_IPX = 3,	/**< The IPX hub's DEA/DRA. */
};

/** Message types counted at nodes (/signalling/messages axis 2). */
#define BSIM_MESSAGE_TYPES(X)                                                  \
	X(NAS, "nas")                                                          \
	X(S1AP, "s1ap")                                                        \
	X(GTPC, "gtpc")                                                        \
	X(S10, "s10")                                                          \
	X(S6A_AIR, "s6a_air")                                                  \
	X(S6A_ULR, "s6a_ulr")                                                  \
	X(S6A_CLR, "s6a_clr")                                                  \
	X(S6A_PUR, "s6a_pur")                                                  \
	X(S6A_IDR, "s6a_idr")                                                  \
	X(MAP_SAI, "map_sai")                                                  \
	X(MAP_UL, "map_ul")                                                    \
	X(MAP_CL, "map_cl")                                                    \
	X(MAP_ISD, "map_isd")                                                  \
	X(MAP_PURGE, "map_purge")                                              \
	X(SGSAP, "sgsap")                                                      \
	X(DEA_RELAY, "dea_relay")                                              \
	X(REJECT, "reject")                                                    \
	X(PAGING, "paging")

enum bsim_message {
#define BSIM_MSG_ENUM(id, name) BSIM__M_##id,
	BSIM_MESSAGE_TYPES(BSIM_MSG_ENUM)
#undef BSIM_MSG_ENUM
		BSIM_MESSAGE_COUNT
};

/** Name of a message type ("nas", "s6a_ulr", ...). */
const char *bsim_message_name(unsigned m);

/** Node series quantities (/signalling/node_series axis 2). */
enum bsim_series {
	BSIM_SERIES_OFFERED = 0,  /**< Transactions arriving in the bin. */
	BSIM_SERIES_SERVED = 1,	  /**< Transactions admitted. */
	BSIM_SERIES_REJECTED = 2, /**< Refused at the queue limit. */
	BSIM_SERIES_QUEUE = 3,	  /**< Most transactions in the system. */
	BSIM_SERIES_BACKOFF = 4,  /**< Most devices in back-off because of
				       this node. */
	BSIM_SERIES_COUNT = 5,
};

/** Trace event types (/trace/events/type). */
enum bsim_trace_type {
	BSIM_TRACE_ATTACH = 0,
	BSIM_TRACE_TAU = 1,
	BSIM_TRACE_HANDOVER = 2,
	BSIM_TRACE_DETACH = 3,
	BSIM_TRACE_REPORT = 4,
	BSIM_TRACE_CELL = 5,
	BSIM_TRACE_BORDER = 6,
	BSIM_TRACE_LOSS = 7,
	/** Registered without signalling: the initial state at t = 0, or
	 *  coverage back after an outage with the context still held. */
	BSIM_TRACE_CAMP = 8,
};

/** Trace results and procedure outcomes (/trace/events/result). */
enum bsim_outcome {
	BSIM_OUTCOME_OK = 0,
	BSIM_OUTCOME_REJECT = 1,
	BSIM_OUTCOME_TIMEOUT = 2,
};

/** Procedures a device row counts (model/procedures.def). */
#define BSIM_PROCEDURES 9

/** Per-device results; one row per device, from bsim_results_device(). */
struct bsim_device_row {
	uint32_t reports;
	/** Fingerprint of the device's procedure completions: the sum of
	 *  bsim_proc_digest(p) over them (mod 2^32), so equal counts per
	 *  procedure give equal fingerprints whatever their order. Counts per
	 *  class are in bsim_results.proc_done_by_class. */
	uint32_t proc_digest;
	uint64_t bytes_up, bytes_down;
	uint16_t cls, home_op, home_op_initial;
	uint16_t country; /**< Where it starts (its place if stationary). */
	uint32_t attaches_ok, attaches_failed, handovers;
	uint32_t border_crossings, reattaches, session_drops, reports_lost,
		records;
	/** Mobile-terminated messages delivered and expired. */
	uint32_t mt_delivered, mt_expired;
	uint64_t home_ns, roaming_ns, no_service_ns, interruption_ns;
	int64_t charge_ueur;
	uint64_t mt_latency_ns; /**< Summed latency of the delivered ones. */
};

/** Per-node results. */
struct bsim_node_row {
	uint16_t op;   /**< Operator or platform index (IPX: UINT16_MAX). */
	uint8_t kind;  /**< enum bsim_node_kind. */
	uint16_t site; /**< City index, UINT16_MAX if none. */
	double service_rate_per_s; /**< Total capacity, all servers, 1/s. */
	uint32_t servers;	   /**< Parallel servers, >= 1. */
	uint32_t queue_limit;
	uint64_t arrivals, served, rejected;
	uint32_t max_queue;
	double mean_wait_s, p99_wait_s;
	double mean_sojourn_s, p99_sojourn_s; /**< Wait plus service. */
	uint64_t messages; /**< All messages counted at the node. */
	/** Background transactions offered and refused (dimensioned nodes:
	 *  the subscribers not simulated). */
	uint64_t background_arrivals, background_rejected;
	/** Busy server time of simulated and background transactions over
	 *  servers x the run's duration. */
	double utilisation;
};

/** One TAP-like billing record (kind: 0 data, 1 SMS, 2 access fee). */
struct bsim_record {
	int64_t t_start_ns;
	uint64_t duration_ns;
	uint32_t device;
	uint16_t home_op, visited_op;
	uint8_t kind;
	uint8_t pad_[7]; /**< Zero: records are compared and stored whole. */
	uint64_t bytes_up, bytes_down, charged_kb;
	int64_t charge_ueur;
};

/** One trace event (output level full). */
struct bsim_trace {
	uint64_t t_ns;
	uint32_t device;
	uint8_t type, result;
	uint16_t op, peer_op;
	uint16_t pad_; /**< Zero: events are stored whole. */
	uint32_t cell;
};

#define BSIM_LATENCY_BINS 60 /**< Attach latency bins (log-spaced). */

/** Named KPIs of a run, one table row (see results/README.md). */
#define BSIM_KPIS(X)                                                           \
	X(attach_success_ratio, "1")                                           \
	X(attach_latency_mean_s, "s")                                          \
	X(attach_latency_p50_s, "s")                                           \
	X(attach_latency_p95_s, "s")                                           \
	X(attach_latency_p99_s, "s")                                           \
	X(attach_attempt_failure_ratio, "1")                                   \
	X(attach_episodes, "1")                                                \
	X(attach_episodes_open, "1")                                           \
	X(no_candidate_s, "s")                                                 \
	X(no_candidate_s_per_device_day, "s/day")                              \
	X(steering_rejects, "1")                                               \
	X(steering_rejects_per_roaming_device_day, "1/day")                    \
	X(signalling_msgs_per_device_day, "1/day")                             \
	X(peak_load_per_capacity, "1")                                         \
	X(storm_seconds, "s")                                                  \
	X(backoff_peak_share, "1")                                             \
	X(availability, "1")                                                   \
	X(border_crossings_per_mobile_device_day, "1/day")                     \
	X(reattaches_per_border_crossing, "1")                                 \
	X(interruption_s_per_border_crossing, "s")                             \
	X(session_drops, "1")                                                  \
	X(handover_success_ratio, "1")                                         \
	X(recovery_s, "s")                                                     \
	X(sla_breach_s, "s")                                                   \
	X(rtt_p95_ms, "ms")                                                    \
	X(rtt_over_target_share, "1")                                          \
	X(cost_per_device_month_eur, "EUR")                                    \
	X(usage_cost_per_device_month_eur, "EUR")                              \
	X(access_fees_per_device_month_eur, "EUR")                             \
	X(home_hss_tx_per_subscriber_day, "1/day")                             \
	X(reports_lost_ratio, "1")                                             \
	X(rejects_cause_11, "1")                                               \
	X(rejects_cause_13, "1")                                               \
	X(rejects_cause_15, "1")                                               \
	X(rejects_cause_17, "1")                                               \
	X(rejects_cause_22, "1")                                               \
	X(timeouts, "1")                                                       \
	X(diameter_timeouts, "1")                                              \
	X(mt_delivery_ratio, "1")                                              \
	X(mt_latency_mean_s, "s")                                              \
	X(mt_latency_p95_s, "s")

enum bsim_kpi {
#define BSIM_KPI_ENUM(name, unit) BSIM_KPI_##name,
	BSIM_KPIS(BSIM_KPI_ENUM)
#undef BSIM_KPI_ENUM
		BSIM_KPI_COUNT
};

/** KPI name and unit of index @p k. */
const char *bsim_kpi_name(unsigned k);
const char *bsim_kpi_unit(unsigned k);

/** The fingerprint term of one completion of procedure @p p (0 ..
 *  BSIM_PROCEDURES - 1): a fixed odd 32-bit mix. */
static inline uint32_t bsim_proc_digest(unsigned p)
{
	uint32_t x = (p + 1) * 0x9e3779b9u;

	x ^= x >> 16;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	return x | 1u;
}

/** Everything a run's result file holds, owned by the model. */
struct bsim_results {
	const struct bsim_world *world;
	const struct bsim_grid *grid;
	uint64_t sim_duration_ns, events_executed;
	/* Geography: per cell, the covering operators (CSR). */
	const uint32_t *cell_cover_start; /**< ncells + 1 offsets. */
	const uint16_t *cell_cover_op;
	const uint32_t *cell_ta;
	size_t ndevices;		/**< Rows: bsim_results_device(). */
	const struct bsim_model *model; /**< The model that holds them. */
	/** [class][procedure]: completions counted by the devices. */
	const uint64_t *proc_done_by_class;
	size_t nnodes;
	const struct bsim_node_row *nodes;
	size_t nbins; /**< Time bins of run.bin_s. */
	/** [bin][node][message] counts. */
	const uint32_t *messages;
	/** [bin][node][series]. */
	const uint32_t *node_series;
	size_t nrecords;
	/** Read with bsim_spool_read() (struct bsim_record items). */
	const struct bsim_spool *records;
	/** [home][visited] gross and net settlement, micro-euro. */
	const int64_t *settlement_ueur, *net_ueur;
	/** [home][visited] signalling round trip between the visited MME and
	 *  the home's HSS (a platform's pool for its members) without node
	 *  delays, ms: the path the model's procedures take. */
	const double *path_rtt_ms;
	double kpi[BSIM_KPI_COUNT];
	/** [class][kpi] and [operator][kpi] (by home operator). */
	const double *kpi_by_class, *kpi_by_operator;
	/** Attach latency histogram: BSIM_LATENCY_BINS + 1 edges, s. */
	double latency_edges[BSIM_LATENCY_BINS + 1];
	uint64_t latency_counts[BSIM_LATENCY_BINS];
	/** Mobile-terminated delivery latencies on the same bins. */
	uint64_t mt_latency_counts[BSIM_LATENCY_BINS];
	size_t ntrace;
	/** Read with bsim_spool_read() (struct bsim_trace items). */
	const struct bsim_spool *trace;
};

/**
 * Copy items [first, first + n) of a spooled result table (records or
 * trace, which a run keeps in a temporary file as they grow) into @p out.
 * @return 0; BSIM_EINVAL for a range past the end; BSIM_EIO if the
 *         temporary file cannot be read.
 */
int bsim_spool_read(const struct bsim_spool *s, size_t first, size_t n,
		    void *out);

struct bsim_model;

/**
 * Build the model of @p world on @p grid (countries rasterised) and
 * schedule its first events on @p engine (fresh, time 0). The world, grid,
 * engine and rng must outlive the model.
 * @return 0 and *out; BSIM_ENOMEM, or BSIM_EINVAL with @p err filled (a
 *         world the model cannot run, e.g. a route leaving the grid).
 */
int bsim_model_create(const struct bsim_world *world,
		      const struct bsim_grid *grid, struct bsim_engine *engine,
		      struct bsim_rng *rng, struct bsim_model **out, char *err,
		      size_t errlen);

/** Called between slices of a run: simulated ns done, of total. Return
 *  false to stop the run early (bsim_model_run then returns BSIM_ESTOPPED). */
typedef bool (*bsim_progress_fn)(void *ctx, uint64_t done_ns, uint64_t total_ns,
				 uint64_t events);

/**
 * Run to the end of the scenario; @p progress (may be NULL) is called
 * about every @p slice_ns of simulated time.
 * @return 0, BSIM_ESTOPPED when stopped by @p progress, BSIM_EIO when the
 *         temporary file of records or trace failed (bsim_model_error()
 *         says why), or an engine error.
 */
int bsim_model_run(struct bsim_model *m, uint64_t slice_ns,
		   bsim_progress_fn progress, void *ctx);

/** Why bsim_model_run() returned BSIM_EIO ("" otherwise); owned by the
 *  model. */
const char *bsim_model_error(const struct bsim_model *m);

/** The results; valid after bsim_model_run() returned 0. */
const struct bsim_results *bsim_model_results(const struct bsim_model *m);

/**
 * Device i's row (i < r->ndevices). The model keeps each device's counters
 * compactly and derives the rest (class, home, volumes) here.
 */
void bsim_results_device(const struct bsim_results *r, size_t i,
			 struct bsim_device_row *out);

/** Free the model. Accepts NULL. */
void bsim_model_destroy(struct bsim_model *m);

#ifdef __cplusplus
}
#endif

#endif /* BSIM_MODEL_H */
