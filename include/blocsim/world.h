/* SPDX-License-Identifier: MIT */
/**
 * @file world.h
 * @brief The scenario's world as the model sees it, after loading and
 *        validation (io/scenario.c): run settings, the cell grid's extent,
 *        countries, cities, operators and blocs. Entities are referred to
 *        by 0-based index everywhere (operator ids are row indices in the
 *        result file). Names are as written in the scenario.
 *
 * The scenario file keys and their units are documented in
 * scenarios/README.md.
 */
#ifndef BSIM_WORLD_H
#define BSIM_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BSIM_NAME_MAX 48

/** Output levels of a run. */
enum bsim_output {
	BSIM_OUTPUT_SUMMARY = 0, /**< Everything but billing records, trace. */
	BSIM_OUTPUT_BILLING = 1, /**< Plus billing records (default). */
	BSIM_OUTPUT_FULL = 2,	 /**< Plus the event trace. */
};

/** Radio access technologies, as a bit set. */
enum bsim_radio {
	BSIM_RADIO_LTE_M = 1,
	BSIM_RADIO_NB_IOT = 2,
	BSIM_RADIO_2G = 4,
};

struct bsim_run_settings {
	int64_t start_unix_s; /**< run.start, UTC. */
	uint64_t duration_s;  /**< run.duration_s, > 0. */
	uint64_t seed;	      /**< run.seed. */
	enum bsim_output output;
	uint64_t bin_s;		/**< Time-series bin width, s (default 60). */
	double sample_fraction; /**< Share of each class's real population
				     that is simulated, 0 < f <= 1; nodes
				     are scaled by it (docs/model.md). */
};

struct bsim_grid_settings {
	double cell_km;			 /**< Cell width, km. */
	double south, west, north, east; /**< Extent, degrees. */
	uint32_t ta_cells; /**< Tracking area: ta_cells^2 cells. */
};

struct bsim_country {
	char name[BSIM_NAME_MAX];
	char iso[3];		/**< ISO 3166-1 alpha-2, e.g. "DE". */
	char mcc[4];		/**< Mobile country code, 3 digits. */
	int32_t utc_offset_min; /**< Local time, minutes east of UTC. */
	bool territory;		/**< Devices move in it (false: home networks
				    only, e.g. North America, the Gulf). */
};

struct bsim_city {
	char name[BSIM_NAME_MAX];
	double lat, lon; /**< Degrees. */
	uint16_t country;
};

struct bsim_operator {
	char name[BSIM_NAME_MAX];
	char group[BSIM_NAME_MAX]; /**< Operator group ("" if none): members
				       of one group are same_group. */
	char mcc[4];		   /**< 3 digits, as a string. */
	char mnc[4];   /**< 2 or 3 digits, as a string ("020" keeps zeros). */
	char tadig[6]; /**< TADIG-style code, 5 characters. */
	uint16_t country;
	double coverage_share; /**< Share of the country's cells, 0..1. */
	uint8_t radios;	       /**< enum bsim_radio bits. */
	uint16_t hss_site;     /**< City of the home HSS/HLR. */
	double spill_km;       /**< Coverage reach across borders, km. */
	/** The MME node's total capacity, transactions per second, shared
	 *  by its mme_servers servers (each serves at capacity / servers). */
	double mme_capacity_per_s;
	uint32_t mme_queue_limit;
	/** The HSS node's total capacity, 1/s, over hss_servers servers. */
	double hss_capacity_per_s;
	uint32_t hss_queue_limit;
	/** Parallel servers sharing each node's FIFO queue; 0 means 1 (a
	 *  zero-initialised world keeps single-server nodes). */
	uint32_t mme_servers, hss_servers;
	/** Real subscriber base (every SIM: phones and M2M); > 0 dimensions
	 *  its MME and HSS by the world's rule (bsim_world_dimension()) and
	 *  gives them the background load of the subscribers not
	 *  simulated. 0: capacities as given, no background. */
	uint64_t subscribers;
	/** Network-based steering of its roamers: the EMM cause the home
	 *  sends to a non-preferred visited network (11, 13 or 17), and the
	 *  rejections within 30 min after which it admits (0: no steering). */
	uint8_t sor_reject_cause, sor_max_attempts;
	/** Its MME's Diameter answer timer on S6a (Tx), s: an HSS answer
	 *  later than this after the request makes the MME reject the
	 *  attempt (#17). */
	double diameter_tx_s;
};

struct bsim_bloc {
	char name[BSIM_NAME_MAX];
	size_t nmembers;
	uint16_t *members; /**< Operator indices, as listed. */
};

/** How a home and a visited network are related. */
enum bsim_relation {
	BSIM_REL_HOME = 0,	  /**< Home = visited. */
	BSIM_REL_SAME_GROUP = 1,  /**< One operator group. */
	BSIM_REL_BLOC = 2,	  /**< Partners in a common bloc. */
	BSIM_REL_ARMS_LENGTH = 3, /**< A standard roaming agreement. */
	BSIM_REL_NONE = 4,	  /**< No agreement: roaming refused. */
};

/** Signalling paths between visited and home networks. */
enum bsim_path {
	BSIM_PATH_IPX = 0,    /**< Through an IPX hub (two DEA/DRA hops). */
	BSIM_PATH_DIRECT = 1, /**< Direct interconnect. */
};

/** The terms under which a home's devices roam on a visited network. */
struct bsim_terms {
	enum bsim_relation relation;
	uint16_t steering_rank;	   /**< OPLMN position (1 best), 0: unlisted. */
	int64_t rate_ueur_per_mb;  /**< Wholesale data, micro-euro per MB. */
	int64_t rate_ueur_per_sms; /**< Wholesale SMS, micro-euro. */
	int64_t access_fee_ueur;   /**< Per SIM and calendar month. */
	uint32_t min_kb;	   /**< Minimum charged kB per session. */
	enum bsim_path path;
	bool eplmn;		    /**< Equivalent PLMN of the home. */
	bool handover;		    /**< Inter-network handover (S10). */
	bool local_breakout;	    /**< User plane breaks out locally. */
	bool admission_priority;    /**< Admitted first under overload. */
	double sla_ms;		    /**< User-plane RTT SLA, ms (0: none). */
	bool glr_cache;		    /**< Visited GLR caches auth vectors. */
	double fault_rate_per_year; /**< Random roaming faults. */
	double fault_detect_s;	    /**< Mean time to detect a fault. */
	double fault_repair_s;	    /**< Mean time to repair it. */
	bool netting;		    /**< Bilateral settlement netting. */
	uint8_t radios;		    /**< Radios granted (enum bsim_radio). */
	bool psm_abroad;	    /**< PSM/eDRX honoured when roaming. */
};

/** A corridor for mobile classes: city waypoints, driven in order. */
struct bsim_route {
	char name[BSIM_NAME_MAX];
	size_t nwaypoints;
	uint16_t *waypoints; /**< City indices, at least two. */
	double speed_kmh;    /**< Travel speed between waypoints. */
	double dwell_s;	     /**< Stop at each waypoint. */
	bool round_trip;     /**< Drive back after the last waypoint. */
};

enum bsim_mobility {
	BSIM_MOBILITY_STATIONARY = 0,
	BSIM_MOBILITY_ROUTE = 1,
};

/** A weighted choice of an index (country, operator or route). */
struct bsim_share {
	uint16_t index;
	double weight; /**< Normalised: the shares of a list sum to 1. */
};

/** A device class and its population. */
struct bsim_class {
	char name[BSIM_NAME_MAX];
	uint64_t count;		/**< Real population the class stands for. */
	double sample_fraction; /**< Its own sample fraction (0: the run's). */
	uint64_t simulated;	/**< Devices simulated: round(count x f),
				     set by the loader. */
	enum bsim_mobility mobility;
	size_t nplaces, nhomes, nroutes;
	struct bsim_share *places;     /**< Countries (stationary). */
	struct bsim_share *homes;      /**< Home operators. */
	struct bsim_share *routes;     /**< Routes (route mobility). */
	double foreign_sim_share;      /**< Stationary devices whose home
					   is abroad (permanent roaming). */
	uint8_t radio;		       /**< One enum bsim_radio value. */
	double report_s;	       /**< Report interval (moving), s. */
	double parked_report_s;	       /**< Heartbeat while parked, s. */
	double window_start_s;	       /**< Daily reports: local start. */
	double window_s;	       /**< Daily reports: random offset. */
	bool daily;		       /**< Reports once a day in a window. */
	uint64_t up_bytes, down_bytes; /**< Per report. */
	bool sms;		       /**< Reports are SMS, not data. */
	bool session_per_report;       /**< Attach, send, detach each time. */
	double t3412_s;		       /**< Periodic update (PSM: extended). */
	double t3324_s;		       /**< PSM active time (0: no PSM). */
	double edrx_s;		       /**< eDRX cycle (0: none): one of the
					  TS 24.008 values, s. */
	double mt_per_day;	       /**< Mobile-terminated messages per
					  device-day (Poisson). */
	uint64_t mt_bytes;	       /**< Payload of each, bytes. */
	double mt_expiry_s;	       /**< Undelivered after this: lost. */
	double hpplmn_search_s;	       /**< Higher-priority search period. */
	double t3410_s, t3411_s, t3402_s; /**< NAS retry timers. */
	uint32_t max_attempts;
	double t3346_min_s, t3346_max_s;
	bool ts34; /**< TS.34 randomised back-off. */
	/** Network search after a loss of service: U(min, max) s before the
	 *  device can register again (0, 0: none). */
	double search_min_s, search_max_s;
};

/** A shared platform hosting its members' M2M subscriptions. */
struct bsim_platform {
	char name[BSIM_NAME_MAX];
	size_t nmembers;
	uint16_t *members; /**< Operator indices. */
	uint16_t hss_site; /**< City of the shared HSS pool. */
	/** The pool's total capacity, 1/s, shared by its servers. */
	double hss_capacity_per_s;
	uint32_t hss_queue_limit;
	/** Parallel servers of the pool sharing its FIFO queue, each at
	 *  hss_capacity_per_s / servers; 0 means 1. */
	uint32_t servers;
	bool hosts_pgw;		      /**< Its outage is a data outage too. */
	double local_profile_after_s; /**< Switch to a local member's
					   profile after this long abroad
					   (0: never). */
};

enum bsim_failure_kind {
	BSIM_FAIL_HSS = 0,	/**< An operator's HSS (Reset at recovery). */
	BSIM_FAIL_RADIO = 1,	/**< A country's radio networks. */
	BSIM_FAIL_IPX = 2,	/**< The IPX hub. */
	BSIM_FAIL_PLATFORM = 3, /**< A platform (HSS pool, maybe PGW). */
	/** An operator's HSS, down like BSIM_FAIL_HSS, that comes back
	 *  without its subscribers' registrations: they attach again. */
	BSIM_FAIL_HSS_DATA_LOSS = 4,
	BSIM_FAIL_PLATFORM_DATA_LOSS = 5, /**< The same for a platform. */
};
#define BSIM_FAIL_KINDS 6

/** A scheduled outage. */
struct bsim_failure {
	enum bsim_failure_kind kind;
	uint16_t target; /**< Operator, country or platform index. */
	double start_s;	 /**< From the run's start. */
	double duration_s;
};

/** Service-time distributions of signalling nodes. */
enum bsim_service_dist {
	BSIM_SERVICE_DIST_EXPONENTIAL = 0, /**< The default. */
	BSIM_SERVICE_DIST_DETERMINISTIC = 1,
	BSIM_SERVICE_DIST_LOGNORMAL = 2, /**< With coefficient of variation
					     cv. */
};

/** Node kinds: the size of bsim_world.service, indexed by enum
 *  bsim_node_kind (model.h: MME 0, HSS 1, PLATFORM 2, IPX 3). */
#define BSIM_NODE_KINDS 4

/** How one kind of node's per-server service times are drawn; the mean is
 *  always servers / capacity. A zeroed spec is exponential. */
struct bsim_service_spec {
	uint8_t dist; /**< enum bsim_service_dist. */
	double cv;    /**< Lognormal coefficient of variation, >= 0 (other
			  distributions ignore it). */
};

/** The dimensioning rule of nodes (docs/model.md, Dimensioning). */
struct bsim_dimensioning {
	double hss_tx_per_sub_bh;  /**< HSS transactions per subscriber in the
				       busy hour. */
	double mme_tx_per_sub_bh;  /**< MME procedures per subscriber in the
				       busy hour. */
	double target_utilisation; /**< Busy-hour load / capacity, 0..1. */
	double headroom;	   /**< Capacity multiplier (sweeps). */
	double hss_server_rate_per_s, mme_server_rate_per_s; /**< One
				       server's rate: its service time's
				       inverse. */
	bool hss_background; /**< Dimensioned HSSs carry background load. */
	bool mme_background; /**< Dimensioned MMEs too. */
};

/** Quality-of-service targets of the comparison KPIs. */
struct bsim_qos {
	double rtt_target_ms; /**< User-plane round trip target, ms. */
};

struct bsim_world {
	char name[BSIM_NAME_MAX]; /**< Scenario name. */
	struct bsim_run_settings run;
	struct bsim_grid_settings grid;
	size_t ncountries, ncities, noperators, nblocs;
	struct bsim_country *countries;
	struct bsim_city *cities;
	struct bsim_operator *operators;
	struct bsim_bloc *blocs;
	/** noperators^2 terms, [home * noperators + visited]. */
	struct bsim_terms *terms;
	size_t nroutes, nclasses, nplatforms, nfailures;
	struct bsim_route *routes;
	struct bsim_class *classes;
	struct bsim_platform *platforms;
	struct bsim_failure *failures;
	/** Service-time distribution of each node kind, [enum
	 *  bsim_node_kind]; zero-initialised: exponential everywhere. */
	struct bsim_service_spec service[BSIM_NODE_KINDS];
	struct bsim_dimensioning dim;
	struct bsim_qos qos;
};

/** The terms of home @p h on visited @p v. */
static inline const struct bsim_terms *
bsim_world_terms(const struct bsim_world *w, size_t h, size_t v)
{
	return &w->terms[h * w->noperators + v];
}

/** Free a world. Accepts NULL. */
void bsim_world_destroy(struct bsim_world *w);

/** Index of a named operator, or -1. */
int bsim_world_operator(const struct bsim_world *w, const char *name);

/** Relative busy-hour load of each local hour (1 at the busiest): the
 *  diurnal profile of background load [assumption]. */
extern const double bsim_diurnal_profile[24];

/** The real M2M devices of home operator @p o: the classes' counts times
 *  the share of their homes that is o. */
double bsim_world_m2m(const struct bsim_world *w, size_t o);

/**
 * max(1, round(x f)): a node's servers or queue limit in a sample of
 * @p f (f <= 0, a world built without a loader, stands for 1).
 */
uint32_t bsim_world_sampled(uint32_t x, double f);

/**
 * Background transactions per second at the busy hour of operator @p o's
 * real MME (@p mme) or HSS: its subscribers that are not the M2M devices
 * the classes stand for, at the rule's busy-hour rate; 0 when that node
 * carries no background (not dimensioned, switched off, no one left).
 */
double bsim_world_background_per_s(const struct bsim_world *w, size_t o,
				   bool mme);

/**
 * Apply the dimensioning rule (docs/model.md) to every operator with
 * subscribers and to every platform hosting one: capacity = headroom x
 * base x transactions per subscriber in the busy hour / 3600 / target
 * utilisation, rounded up to whole servers of the rule's server rate.
 */
void bsim_world_dimension(struct bsim_world *w);

/** Devices simulated, of all classes (the sum of their `simulated`). */
uint64_t bsim_world_devices(const struct bsim_world *w);

/** Real population the classes stand for (the sum of their `count`). */
uint64_t bsim_world_population(const struct bsim_world *w);

/**
 * Set the run's sample fraction to @p f (0 < f <= 1) and each class's
 * devices simulated to round(count x f), or with the class's own fraction
 * where it has one.
 */
void bsim_world_sample(struct bsim_world *w, double f);

#ifdef __cplusplus
}
#endif

#endif /* BSIM_WORLD_H */
