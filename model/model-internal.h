/* SPDX-License-Identifier: MIT */
/*
 * The roaming model's internal state, shared by its files:
 *   model.c   life cycle, initial state, the run loop;
 *   cover.c   coverage per cell and per-cell signal quality;
 *   route.c   route timelines (cell changes along city corridors);
 *   device.c  device behaviour: reports, timers, mobility, selection;
 *   periodic.c  every device's periodic update, one event per class;
 *   mt.c      mobile-terminated messages and paging;
 *   spool.c   billing records and the trace beyond memory;
 *   proc.c    procedures as hops through signalling nodes;
 *   ledger.c  sessions, TAP-like records, access fees, settlement;
 *   kpi.c     the KPIs at the end of a run;
 *   rows.c    each device's published row from its counters.
 *
 * Times are integer nanoseconds from the run's start. Operator, class and
 * node ids are indices into the world's / model's arrays.
 */
#ifndef BSIM_MODEL_INTERNAL_H
#define BSIM_MODEL_INTERNAL_H

#include "billing.h"
#include "node.h"
#include "retry.h"
#include "selection.h"
#include "spool.h"

#include <blocsim/model.h>

#include <stdbool.h>
#include <stdint.h>

#define NS_PER_S 1000000000.0
#define S_TO_NS(s) ((uint64_t)llround((s)*NS_PER_S))
#define NO_NODE UINT16_MAX
#define NO_ROUTE UINT16_MAX

/* Model constants not (yet) in the scenario language; each documented in
 * results/README.md. */
#define RADIO_RTT_S 0.05   /* NAS round trip over LTE-M [assumption]. */
#define RADIO_RTT_NB_S 0.2 /* NB-IoT [assumption]. */
#define RADIO_RTT_2G_S 0.3 /* GPRS [assumption]. */
#define HOP_S                                                                  \
	0.002		   /* Intra-network transport hop, s (DOMAIN 1.6:
				   1-5 ms [assumption]). */
#define KM_RTT_MS 0.021	   /* Round trip per great-circle km [K-bozkurt]. */
#define IPX_DETOUR_S 0.005 /* Hub detour, each way [assumption]. */
#define LOCAL_RTT_MS                                                           \
	10.0 /* User-plane round trip at home or with local
			     breakout (the core's share). */
#define HOME_ROUTED_MS                                                         \
	40.0 /* Fixed part of a home-routed detour (visited SGW, the home's     \
		PGW, transit) on top of the distance: with it the penalty is  \
		>= 60 ms within Europe, as measured [K-lutu]. */
#define RTT_HIST_BINS 2000	 /* User-plane RTT time histogram: 1 ms bins. */
#define CONNECTED_S 10.0	 /* Radio inactivity timer [assumption]. */
#define IMPLICIT_DETACH_S 240.0	 /* After T3412 + 4 min [assumption]. */
#define REACHABLE_EXTRA_S 240.0	 /* Mobile-reachable = T3412 + 4 min. */
#define SOR_WINDOW_S 1800.0	 /* ... within 30 min [assumption]. */
#define PARTIAL_RECORD_S 86400.0 /* Partial TAP records: 24 h periods. */
#define CELL_SEARCH_S 30.0	 /* Coverage back: search within U(0, 30 s). */
#define GOOD_QUALITY 0.3	 /* "Good quality" networks for selection. */
#define ABROAD_MAX_DAYS 180.0	 /* Days already abroad at t = 0: U(0, 180). */
#define IPX_RATE_PER_S 200000.0	 /* IPX hub DEA capacity [K-oracleDAMP]. */
#define IPX_QUEUE_LIMIT 100000u
#define PRIORITY_RESERVE                                                       \
	0.1	     /* MME queue kept for admission priority
				[assumption]. */
#define EPLMN_MAX 15 /* Entries of an EPLMN list (TS 24.301). */
#define ABROAD_NONE INT32_MIN
#define SEL_NONE UINT32_MAX /* No row of forbidden areas. */
#define DRX_S                                                                  \
	1.28 /* Default paging cycle without eDRX: 128 radio frames (TS
		36.304 7.1) [spec]. */
/* After an HSS's data loss the MMEs detach its subscribers' awake
 * devices over U(0, NW_DETACH_S) as they walk their contexts (DOMAIN.md
 * 7.6's example window W = 60 s [assumption]). */
#define NW_DETACH_S 60.0
/* A node is in a storm while its backlog (the wait of a transaction
 * arriving now, in seconds of work) exceeds half the attach guard T3410
 * (15 s by default [K-naslist]): an attach whose AIR and ULR each wait
 * that long cannot finish before the device gives up. */
#define STORM_BACKLOG_S 7.5
/* Latencies for quantiles (attach, mobile-terminated): FINE_BINS
 * log-spaced bins from 1 ms to 10^7 s, 100 per decade (each 2.3% wide). */
#define FINE_BINS 1000
#define FINE_MIN_S 1e-3

/* Procedures (procedures.def). */
enum bsim__proc {
	BSIM__P_ATTACH = 0,
	BSIM__P_TAU_INTER = 1,
	BSIM__P_TAU_LOCAL = 2,
	BSIM__P_SERVICE = 3,
	BSIM__P_DETACH = 4,
	BSIM__P_HO_INTRA = 5,
	BSIM__P_HO_INTER = 6,
	BSIM__P_PROFILE_SWITCH = 7,
	BSIM__P_PAGE = 8, /* Network-triggered: downlink data waits. */
	BSIM__P_COUNT = BSIM_PROCEDURES,
};

enum bsim__radio_family { BSIM__R_EPS = 0, BSIM__R_MAP = 1 };
enum bsim__pnode { BSIM__N_MME, BSIM__N_OLD, BSIM__N_HSS };

/* Messages of one procedure at one node kind. */
struct bsim__msgs {
	uint8_t n;
	uint8_t type[6];
	uint8_t count[6];
	uint8_t nas; /* NAS messages among them (the device's round trips). */
};

/* Hop flags. */
#define HOP_HSS 1u /* Needs the home HSS. */
/* Without a usable vector, the HSS step is two transactions: this flag
 * marks the first, the AIR (MAP SAI on 2G); the MME clears it when the
 * answer is back and sends the ULR (UL, ISD) as the second. */
#define HOP_AIR 2u
#define HOP_IPX 4u   /* Roaming signalling through the IPX hub. */
#define HOP_STEER 8u /* The HSS may steer (first registration here). */
#define HOP_AUTHED                                                             \
	16u	      /* The attempt ran its AIR and the device's
			  authentication round trips. */
#define HOP_REPLY 32u /* The device waits for an answer. */
#define HOP_VLR 64u   /* Attached for SMS: the VLR is updated too. */
/* The MME's Diameter timer expired: the transaction still travels (the
 * nodes do the work), but the MME drops its answer. */
#define HOP_GAVEUP 128u
#define HOP_STEERED 256u /* The home HSS rejected it for steering. */
/* NAS round trips between the AIA and the ULR: Authentication Request/
 * Response and Security Mode Command/Complete (TS 23.401 5.3.2.1 step 5a;
 * 2G: authentication and ciphering). */
#define AUTH_ROUNDS 2

/* Reject causes (EMM). */
enum bsim__cause {
	CAUSE_NONE = 0,
	CAUSE_11 = 11,
	CAUSE_13 = 13,
	CAUSE_15 = 15,
	CAUSE_17 = 17,
	CAUSE_22 = 22,
	/* #17 sent by the visited MME when the HSS did not answer within
	 * its Diameter timer: counted apart from the home's steering #17. */
	CAUSE_DIAMETER = 254,
	CAUSE_TIMEOUT = 255,
};

/* A transaction moving through nodes: the engine payload of a hop. */
struct bsim__hop {
	uint64_t deadline_ns; /* The MME gives up on the HSS request in
				 flight then (its Diameter timer). */
	uint16_t seq;	      /* The device's attempt number. */
	uint8_t proc;	      /* enum bsim__proc. */
	uint8_t step;	      /* 0 MME, 1 IPX out, 2 HSS, 3 IPX back. */
	uint8_t family;	      /* enum bsim__radio_family. */
	uint16_t flags;	      /* HOP_*. */
	uint16_t visited;     /* Serving (target) operator. */
	uint16_t old;	      /* Previous serving operator or BSIM__NO_OP. */
	uint16_t hss_node;    /* Node index of the HSS. */
	uint16_t cause;	      /* Answer: enum bsim__cause. */
};

/* An answer delivered to a device. */
struct bsim__answer {
	uint16_t seq;
	uint8_t proc;
	uint8_t cause; /* CAUSE_NONE: accepted. */
	uint16_t visited;
	uint16_t node;	 /* Node that refused (for back-off accounting). */
	uint8_t steered; /* The reject is the home's steering decision. */
};

/* Device flags. */
#define DEV_BUSY 1u	      /* A procedure attempt is in flight. */
#define DEV_BACKOFF 2u	      /* Waiting out a retry timer. */
#define DEV_UNSEEN 4u	      /* Moved while asleep or busy. */
#define DEV_REPORT_PENDING 8u /* A report waits for registration. */
#define DEV_OUTAGE 16u	      /* Lost service in a radio outage. */
#define DEV_MOVING 32u	      /* On the road (not parked). */
#define DEV_MOB_LOSS 64u      /* The current loss came from mobility. */
#define DEV_DETACHED 128u     /* Detached by design between reports. */
#define DEV_PO 256u	      /* A paging-occasion event is pending. */
#define DEV_HPLMN 512u	      /* A higher-priority search is scheduled. */
#define DEV_EPISODE 1024u     /* A registration episode is open. */
#define DEV_EP_FAILED                                                          \
	2048u /* ... and an attempt in it failed (not by
				 steering). */
#define DEV_NOCAND                                                             \
	4096u		 /* ... and no allowed candidate exists: its
				 latency clock is stopped. */
#define DEV_SEARCH 8192u /* Searching networks after a loss. */
/* Registered, but its HSS lost the registration (hss_data_loss): the
 * MME detaches it ("re-attach required") when it can reach it. */
#define DEV_REG_LOST 16384u

/* Service categories for time accounting. */
enum { SVC_HOME = 0, SVC_ROAMING = 1, SVC_NONE = 2 };

/* Fields in the order of use: the first cache line holds what every
 * report, update and move touches; the rest is read on registration
 * changes and failures. */
struct bsim__device {
	/* Every event. */
	uint16_t cls, home, serving, flags;
	uint16_t sess_op; /* Visited network of the open record, or NO_OP. */
	uint16_t route;
	uint32_t cell;
	uint32_t report_k; /* Reports made (traffic stream index). */
	uint32_t tl;	   /* Route timeline index. */
	uint64_t conn_until_ns, awake_until_ns;
	uint32_t sess_reports, sess_mt; /* Carried by the open record. */
	uint64_t report_ns; /* Next report (events at other times are stale). */
	/* Moves, timers, sessions. */
	int64_t cycle0_ns; /* When the current route cycle began. */
	int64_t sess_start_ns;
	uint64_t last_contact_ns;
	uint32_t ta;
	uint16_t reset_epoch; /* HSS Resets seen (mod 2^16). */
	uint16_t fee_op;      /* Latest access fee: network (billing.h) */
	uint16_t hss_loc;     /* Where the home HSS believes the device is. */
	uint16_t ctx_op;      /* Network whose MME holds its context. */
	uint16_t seq;	      /* Attempt number. */
	uint16_t target;      /* Network of the attempt in flight. */
	uint8_t svc;	      /* SVC_*. */
	uint8_t proc;	      /* Procedure in flight. */
	uint8_t sor_count;    /* Steering rejects in the window. */
	uint8_t fee_month;    /* ... and month, low 8 bits. */
	struct bsim__retry retry;
	uint16_t backoff_node;
	/* Registration changes and failures. */
	uint64_t since_ns; /* Start of the current service category. */
	uint64_t loss_ns;  /* When service was lost. */
	/* Start of the open registration episode, moved later by the time
	 * spent in it without an allowed candidate (so its latency is
	 * now - episode_ns), and the current such wait: since when, and
	 * until when at the latest (a forbidden area expiring). */
	uint64_t episode_ns;
	uint64_t nocand_ns, nocand_until_ns;
	uint64_t sor_window_ns;
	bsim_rng_ctr ctr_backoff, ctr_sel;
	bsim_event ev_retry;
	struct bsim__sim sim;
	uint32_t sel;	  /* Forbidden areas: row of m->sel, or SEL_NONE. */
	uint32_t mt_head; /* Waiting mobile-terminated messages, or MT_NIL. */
	/* Since when roaming, in whole seconds from the run's start (before
	 * it for devices already abroad), or ABROAD_NONE at home. */
	int32_t abroad_since_s;
};

/* A device's counters for its result row (rows.c derives the rest of
 * struct bsim_device_row: class and home from the device, volumes from
 * the reports sent and messages delivered). */
struct bsim__row {
	uint32_t reports, sent, reports_lost, proc_digest;
	uint16_t home_op_initial, country;
	uint32_t attaches_ok, attaches_failed, handovers, border_crossings,
		reattaches, session_drops, records, mt_delivered, mt_expired;
	/* Registration episodes started, ended registered, and counted as
	 * failed; steering rejects decided by the home HSS. */
	uint32_t episodes, episodes_ok, episodes_failed, steering_rejects;
	uint64_t no_candidate_ns; /* Episode time without a candidate. */
	uint64_t home_ns, roaming_ns, no_service_ns, interruption_ns;
	int64_t charge_ueur;
	uint64_t mt_latency_ns;
};

/* One step of a route's cycle: from t_ns (cycle time) on, the device is
 * in `cell`, moving or parked. */
struct bsim__tl_step {
	uint64_t t_ns;
	uint32_t cell;
	bool moving;
};

struct bsim__route_tl {
	size_t n;
	struct bsim__tl_step *steps;
	uint64_t period_ns;
};

/* Per-class parameters in model units. */
struct bsim__class_params {
	struct bsim__retry_params retry;
	uint64_t t3412_ns, t3324_ns, t3410_ns, hplmn_ns;
	uint64_t report_ns, parked_ns;
	uint64_t edrx_ns;		       /* eDRX cycle, 0: none. */
	uint64_t search_min_ns, search_max_ns; /* Search after a loss. */
	uint64_t mt_expiry_ns; /* Mobile-terminated messages expire. */
	double mt_rate_per_s;  /* Their Poisson rate per device. */
	double radio_rtt_s;
	uint8_t family;
};

/* The periodic-update timers of a class's devices (periodic.c): the
 * devices in firing order, and where the sweep is. */
struct bsim__periodic {
	uint32_t *order;    /* Device indices by (phase, index). */
	uint32_t cur;	    /* The next to fire. */
	uint64_t cycle0_ns; /* Start of the cycle being swept. */
};

/* A mobile-terminated message waiting for its device (a list per
 * device through `next`). */
struct bsim__mt {
	uint64_t arrival_ns;
	uint32_t next; /* Next of the device, or of the free list. */
};
#define MT_NIL UINT32_MAX

struct bsim_model {
	const struct bsim_world *w;
	const struct bsim_grid *g;
	struct bsim_engine *eng;
	struct bsim_rng *rng;
	uint64_t end_ns;
	uint64_t bin_ns; /* run.bin_s in ns. */
	unsigned h_report, h_periodic, h_move, h_hplmn, h_retry, h_guard, h_hop,
		h_answer, h_failure, h_fault, h_contact, h_month, h_mt, h_po,
		h_search, h_nwdetach;
	/* Geography. */
	size_t ncells;
	uint32_t *cover_start; /* ncells + 1 */
	uint16_t *cover_op;
	uint32_t *cell_ta;
	uint32_t *country_cells_start; /* ncountries + 1 */
	uint32_t *country_cells;
	struct bsim__route_tl *routes;
	/* Nodes: MME of op i = i, HSS of op i = nop + i, platform p = 2 nop
	 * + p, IPX = 2 nop + nplatforms. */
	size_t nnodes;
	struct bsim__node *nodes;
	uint16_t *node_down; /* Outages in progress (overlaps count). */
	uint16_t *node_site; /* City index or UINT16_MAX. */
	uint32_t *node_backoff;
	/* Storm seconds (STORM_BACKLOG_S): one bit per whole second of the
	 * run, and the first second not yet marked (arrivals come in time
	 * order, so a second before it is never marked again). */
	uint8_t *storm_bits;
	uint64_t storm_next_s;
	/* Devices in back-off now (over all nodes), and the most so far. */
	uint32_t n_backoff, backoff_peak;
	uint16_t ipx_node;
	uint16_t *op_hss_node; /* Current HSS node of each home operator. */
	/* Where each operator's network is, for the order of EPLMN lists:
	 * the centre of its own country's cells (degrees), or its HSS site
	 * for a country with no cell on the grid. */
	double *op_lat, *op_lon;
	/* [home * nop + visited]: the home ranks a network of the visited
	 * one's country higher (steering may reject there). */
	bool *steer_better;
	uint16_t *op_reset_epoch; /* HSS Resets per home, mod 2^16. */
	uint16_t *op_radio_down;  /* Radio outages in progress. */
	bool *pair_fault;	  /* [home * nop + visited]. */
	double *lat_core_s;	  /* [visited * nnodes + hss node], one way. */
	struct bsim__msgs msgs[BSIM__P_COUNT][2][3];
	struct bsim__class_params *cp;
	struct bsim__periodic *per; /* Per class. */
	/* Devices. */
	size_t ndev;
	/* Devices are placed class by class: class c's are [cls_first[c],
	 * cls_first[c + 1]). */
	uint32_t *cls_first;
	struct bsim__device *dev;
	struct bsim__row *row;
	/* Results being built. */
	size_t nbins;
	uint32_t *messages, *series;
	struct bsim_spool rec; /* struct bsim_record, at every output level. */
	struct bsim__fee_set fees;
	int64_t *settle, *net;
	struct bsim_spool trace; /* struct bsim_trace, at level full. */
	char spool_err[160];	 /* Why a spool failed, if one did. */
	bool tracing;
	/* Attach latencies of registration episodes: how many, their sum,
	 * fine bins for quantiles and the published coarse bins. */
	uint64_t nlat;
	double lat_sum_s;
	uint32_t lat_hist[FINE_BINS];
	uint64_t lat_coarse[BSIM_LATENCY_BINS];
	uint64_t rejects[256];
	uint64_t ho_attempts, ho_ok;
	double sla_breach_s;
	/* Roaming session time by user-plane RTT (1 ms bins, the last one
	 * open), for sessions between two territory networks, and the part
	 * of it over the target (kpi.c: rtt_p95_ms, rtt_over_target_share). */
	double rtt_time_s[RTT_HIST_BINS];
	double rtt_over_s;
	uint64_t *failure_end_ns; /* Per scheduled failure. */
	/* Recovery (recovery.c): per device the failure that affected it
	 * (NO_FAILURE; NULL without failures), per failure its affected
	 * devices and those of them without a registration now. */
	uint16_t *dev_fail;
	uint32_t *fail_n, *fail_out;
	uint64_t *op_hss_tx;   /* HSS transactions per home operator. */
	uint32_t *backoff_bin; /* Last bin of each node's back-off series. */
	uint64_t *fail_recovered_ns;
	uint8_t *fail_state; /* 0 not begun, 1 active, 2 recovering, 3 done. */
	/* Mobile-terminated messages: waiting ones, and delivery latencies
	 * per class and per home operator (FINE_BINS each). */
	/* Forbidden tracking areas of the devices that ever had one: most
	 * never do, so the lists live here, not in every device. */
	struct bsim__sel_state *sel;
	size_t nsel, capsel;
	struct bsim__mt *mt;
	uint64_t *mt_k; /* Per class: arrivals drawn so far. */
	size_t capmt, nmt_used;
	uint32_t mt_free;
	uint32_t *mt_hist_cls, *mt_hist_op;
	uint64_t mt_coarse[BSIM_LATENCY_BINS]; /* Published histogram. */
	uint64_t *proc_done; /* [class][BSIM_PROCEDURES] completions. */
	struct bsim_node_row *node_rows;
	double *kpi_class, *kpi_op;
	double *path_rtt_ms; /* [home * nop + visited]. */
	struct bsim_results res;
};

/* Has the device's home HSS been Reset since the device last updated it?
 * (Counts mod 2^16: wrong only if a device misses exactly 65,536.) */
static inline bool bsim__reset_due(const struct bsim_model *m,
				   const struct bsim__device *d)
{
	return d->reset_epoch != m->op_reset_epoch[d->home];
}

#define NO_FAILURE UINT16_MAX

/* Without a registration, for recovery_s: no serving network, or one
 * whose HSS lost the registration (a data loss) and has not yet told
 * the device. A device detached by design between reports is not. */
static inline bool bsim__dev_out(const struct bsim__device *d)
{
	return d->svc == SVC_NONE || (d->flags & DEV_REG_LOST);
}

/* The random-stream entity of device i: its class and its index within
 * the class, so that a class's first n devices draw the same numbers
 * whatever the other classes' sizes and whatever the sample fraction (the
 * sample of f/10 is the first tenth of the sample of f). */
static inline uint64_t bsim__dev_entity(const struct bsim_model *m, uint32_t i)
{
	uint16_t c = m->dev[i].cls;

	return bsim_entity(BSIM_ENTITY_DEVICE,
			   ((uint64_t)c << 32) | (i - m->cls_first[c]));
}

/* kpi.c: bin of a latency of s seconds in the published histograms
 * (BSIM_LATENCY_BINS log-spaced bins, 10 ms to 10^5 s; outliers go to
 * the first and last bins). */
unsigned bsim__latency_bin(double s);
/* kpi.c: fine bins of latencies for quantiles (FINE_BINS, log-spaced from
 * FINE_MIN_S, 100 per decade), and quantile q of such a histogram (NaN
 * when empty): the geometric middle of the bin that holds it, within
 * 1.2% of the exact value. */
unsigned bsim__fine_bin(double s);
double bsim__fine_quantile(const uint32_t *hist, double q);

/* model.c: a spool failed (s->err set); the run stops and fails. */
void bsim__spool_failed(struct bsim_model *m, const struct bsim_spool *s,
			const char *what);

/* cover.c */
int bsim__cover_build(struct bsim_model *m, char *err, size_t errlen);
/* Is op on the equivalent-PLMN list that a serving MME sends to a device
 * of `home` in `cell`? The list is the home, then the home's partners
 * whose agreement grants eplmn: those of the cell's country first, then
 * by distance from the cell to the partner's network (op_lat/op_lon),
 * then by steering rank (unlisted last), then by index; at most EPLMN_MAX
 * entries (TS 24.301). */
bool bsim__eplmn_has(const struct bsim_model *m, uint16_t home, uint32_t cell,
		     uint16_t op);
/* Signal quality of op in cell, 0..1, a pure function of the seed. */
double bsim__quality(const struct bsim_model *m, uint32_t cell, uint16_t op);
/* Operators usable in `cell` now (radio up), with their quality and the
 * home's steering rank, for device d; returns the count (<= max). */
int bsim__candidates(const struct bsim_model *m, const struct bsim__device *d,
		     uint32_t cell, struct bsim__candidate *c, int max);
bool bsim__covers(const struct bsim_model *m, uint32_t cell, uint16_t op);

/* route.c */
int bsim__routes_build(struct bsim_model *m, char *err, size_t errlen);
void bsim__routes_free(struct bsim_model *m);
/* Timeline index at cycle time c_ns. */
uint32_t bsim__route_index(const struct bsim__route_tl *r, uint64_t c_ns);

/* proc.c */
void bsim__proc_tables(struct bsim_model *m);
/* Make room for one more element in a doubling array (aborts when out of
 * memory: results cannot be partial). */
void bsim__grow(void **a, size_t *cap, size_t n, size_t elem, size_t first);
/* Start procedure `proc` of device i on `visited` now; the answer (if
 * HOP_REPLY) comes back as an h_answer event. */
void bsim__proc_start(struct bsim_model *m, uint32_t i, enum bsim__proc proc,
		      uint16_t visited, unsigned flags);
void bsim__on_hop(struct bsim_engine *e, void *ctx, uint32_t target,
		  const void *payload);
uint16_t bsim__node_of(const struct bsim_model *m, enum bsim_node_kind k,
		       uint16_t index);

/* device.c */
void bsim__device_init(struct bsim_model *m, uint32_t i);
/* Device i completed procedure p (counted per class, and in the device's
 * fingerprint). */
static inline void bsim__proc_done(struct bsim_model *m, uint32_t i, unsigned p)
{
	m->proc_done[(size_t)m->dev[i].cls * BSIM_PROCEDURES + p]++;
	m->row[i].proc_digest += bsim_proc_digest(p);
}
/* Device i's T3412 expired now (periodic.c calls it). */
void bsim__periodic_fire(struct bsim_model *m, uint32_t i, uint64_t now);
/* Can the device act now (not asleep in PSM)? */
bool bsim__awake(const struct bsim_model *m, const struct bsim__device *d,
		 uint64_t now);
/* At the end of the run: close device i's open episode's wait without a
 * candidate, and count the episode as failed if an attempt in it failed
 * other than by steering. */
void bsim__episode_finish(struct bsim_model *m, uint32_t i, uint64_t end);
/* Act on a move the network has not seen (the device is awake). */
void bsim__handle_mobility(struct bsim_model *m, uint32_t i, uint64_t now);
/* Is the device idle in eDRX now (cycle in use, honoured where it is)? */
bool bsim__edrx_idle(const struct bsim_model *m, const struct bsim__device *d,
		     uint64_t now);
/* Is the user plane of device i broken now (IPX down on a home-routed
 * path, a roaming fault, the platform's packet gateway down)? */
bool bsim__data_broken(const struct bsim_model *m, uint32_t i);
/* Make sure a paging-occasion event is pending for device i. */
void bsim__po_ensure(struct bsim_model *m, uint32_t i, uint64_t now);

/* periodic.c: every device's T3412, one event per class. */
int bsim__periodic_create(struct bsim_model *m);
void bsim__periodic_free(struct bsim_model *m);
void bsim__on_periodic(struct bsim_engine *e, void *ctx, uint32_t cls,
		       const void *payload);

/* mt.c: mobile-terminated messages and paging. */
int bsim__mt_create(struct bsim_model *m);
void bsim__mt_free(struct bsim_model *m);
/* The first arrivals of each class (after the devices are placed). */
void bsim__mt_start(struct bsim_model *m);
void bsim__on_mt(struct bsim_engine *e, void *ctx, uint32_t target,
		 const void *payload);
void bsim__on_po(struct bsim_engine *e, void *ctx, uint32_t target,
		 const void *payload);
/* The device is connected for its own reasons (a report, an update, a
 * registration): waiting messages are delivered without paging, unless
 * the user plane is broken. */
void bsim__mt_contact(struct bsim_model *m, uint32_t i, uint64_t now);
/* After an attempt ended: page the device if messages wait and it can be
 * reached. */
void bsim__mt_reach(struct bsim_model *m, uint32_t i, uint64_t now);
/* At the end of the run: messages older than their expiry count as lost
 * (younger ones stay pending, uncounted). */
void bsim__mt_finish(struct bsim_model *m);

void bsim__on_report(struct bsim_engine *e, void *ctx, uint32_t target,
		     const void *payload);
void bsim__on_move(struct bsim_engine *e, void *ctx, uint32_t target,
		   const void *payload);
void bsim__on_hplmn(struct bsim_engine *e, void *ctx, uint32_t target,
		    const void *payload);
void bsim__on_retry(struct bsim_engine *e, void *ctx, uint32_t target,
		    const void *payload);
void bsim__on_guard(struct bsim_engine *e, void *ctx, uint32_t target,
		    const void *payload);
void bsim__on_answer(struct bsim_engine *e, void *ctx, uint32_t target,
		     const void *payload);
void bsim__on_contact(struct bsim_engine *e, void *ctx, uint32_t target,
		      const void *payload);
void bsim__on_search(struct bsim_engine *e, void *ctx, uint32_t target,
		     const void *payload);
void bsim__on_failure(struct bsim_engine *e, void *ctx, uint32_t target,
		      const void *payload);
/* The MME's network-initiated detach after an HSS's data loss. */
void bsim__on_nwdetach(struct bsim_engine *e, void *ctx, uint32_t target,
		       const void *payload);
void bsim__on_fault(struct bsim_engine *e, void *ctx, uint32_t target,
		    const void *payload);
void bsim__on_month(struct bsim_engine *e, void *ctx, uint32_t target,
		    const void *payload);
void bsim__backoff_note(struct bsim_model *m, uint16_t node, int delta,
			uint64_t now);
/* Account service time up to now and switch category. */
void bsim__svc_set(struct bsim_model *m, uint32_t i, uint8_t svc, uint64_t now);
void bsim__trace(struct bsim_model *m, uint32_t i, uint8_t type, uint8_t result,
		 uint16_t op, uint16_t peer);

/* ledger.c */
/* Open a roaming record for device i on its serving network (no-op at
 * home or for SMS classes). */
void bsim__session_open(struct bsim_model *m, uint32_t i, uint64_t now);
/* Close the open record (if any); `drop`: the session was lost. */
void bsim__session_close(struct bsim_model *m, uint32_t i, uint64_t now,
			 bool drop);
/* Reports and mobile-terminated messages carried now, each with its
 * class's bytes (the record's volumes follow from the counts). */
void bsim__session_traffic(struct bsim_model *m, uint32_t i, uint64_t now,
			   uint32_t reports, uint32_t mt);
void bsim__sms_record(struct bsim_model *m, uint32_t i, uint64_t now);
void bsim__access_fee(struct bsim_model *m, uint32_t i, uint64_t now);
/* User-plane round trip of device i on its serving network, ms. */
double bsim__user_rtt_ms(const struct bsim_model *m, uint32_t i);

/* kpi.c */
int bsim__kpi_finish(struct bsim_model *m);

/* recovery.c: recovery_s's bookkeeping. Device i lost service or had an
 * attempt fail now: it is affected by the failure in progress that
 * concerns it (if any). */
void bsim__recovery_hit(struct bsim_model *m, uint32_t i, uint64_t now);
/* Device i is affected by failure f (it leaves any earlier one's set). */
void bsim__recovery_mark(struct bsim_model *m, uint32_t i, uint16_t f,
			 uint64_t now);
/* Device i's bsim__dev_out() may have changed from was_out. */
void bsim__recovery_note(struct bsim_model *m, uint32_t i, bool was_out,
			 uint64_t now);
/* Failure f ended now (after its end's own effects). */
void bsim__recovery_end(struct bsim_model *m, uint16_t f, uint64_t now);

#endif /* BSIM_MODEL_INTERNAL_H */
