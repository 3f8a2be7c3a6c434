/* SPDX-License-Identifier: MIT */
/*
 * The scenario language's key tables (see keys.h): every key of the
 * sections below is declared here once, with its type and unit, range,
 * default, source and meaning. scenario.c reads the sections through these
 * tables; scenarios/README.md's key tables are generated from them
 * (`blocsim check --keys`). To add a key: one entry here, its field in
 * include/blocsim/world.h, and its use in the model.
 *
 * Defaults are cited ([K-...] keys resolve in docs/references.md) or
 * marked [assumption].
 */
#include "keys.h"
#include "scenario_keys.h"

#include <blocsim/scenario.h>
#include <blocsim/world.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- run ---------------------------------------------------------- */

static const char *const outputs[] = { "summary", "billing", "full", NULL };

#define RUN struct bsim_run_settings
const struct bsim__key bsim__run_keys[] = {
	BSIM__KEY_X("start", true, "required", NULL,
		    "UTC date-time `YYYY-MM-DDTHH:MM:SSZ` at which the run "
		    "starts"),
	{ .name = "duration_s",
	  .type = BSIM__KEY_U64,
	  BSIM__FIELD(RUN, duration_s),
	  .unit = "s",
	  .ulo = 1,
	  .uhi = 10 * 366 * 86400ULL,
	  .required = true,
	  .help = "simulated time (1 s to 10 years)" },
	BSIM__KEY_UINT(BSIM__KEY_U64, RUN, seed, "seed", "", 0, UINT64_MAX, 1,
		       NULL, "run seed: every random stream is keyed by it"),
	BSIM__KEY_C(RUN, output, "output", outputs, BSIM_OUTPUT_BILLING, NULL,
		    "what the result file holds: `billing` adds billing "
		    "records, `full` also the event trace"),
	BSIM__KEY_UINT(BSIM__KEY_U64, RUN, bin_s, "bin_s", "s", 1, 86400, 60,
		       NULL, "time-series bin width"),
	BSIM__KEY_D(RUN, sample_fraction, "sample_fraction", "", 1e-9, 1, 1,
		    NULL,
		    "share of each class's real population (`count`) that is "
		    "simulated: round(count x f) devices; signalling nodes "
		    "keep their service time and get max(1, round(c x f)) "
		    "servers"),
};
#undef RUN
const size_t bsim__nrun_keys = N(bsim__run_keys);

/* ---- grid --------------------------------------------------------- */

#define GRID struct bsim_grid_settings
const struct bsim__key bsim__grid_keys[] = {
	BSIM__KEY_DREQ(GRID, cell_km, "cell_km", "km", 0.5, 100,
		       "cell width at the grid's middle latitude"),
	BSIM__KEY_DREQ(GRID, south, "south", "degrees", -89, 89,
		       "southern edge (north of it: `north`)"),
	BSIM__KEY_DREQ(GRID, west, "west", "degrees", -180, 180,
		       "western edge (east of it: `east`)"),
	BSIM__KEY_DREQ(GRID, north, "north", "degrees", -89, 89,
		       "northern edge"),
	BSIM__KEY_DREQ(GRID, east, "east", "degrees", -180, 180,
		       "eastern edge"),
	BSIM__KEY_UINT(BSIM__KEY_U32, GRID, ta_cells, "ta_cells", "cells", 1,
		       100, 4, "[assumption]",
		       "a tracking area is ta_cells x ta_cells cells"),
};
#undef GRID
const size_t bsim__ngrid_keys = N(bsim__grid_keys);

/* ---- operators ---------------------------------------------------- */

/* Node capacities by default: a virtualised MME cluster (37,000
 * procedures/s [K-prados]) and an HSS front end (5,000 tx/s
 * [assumption], DOMAIN.md section 1.7). */
#define OP struct bsim_operator
const struct bsim__key bsim__operator_keys[] = {
	BSIM__KEY_X("group", false, "none", NULL,
		    "operator group; members of one group are `same_group`"),
	BSIM__KEY_X("mcc", true, "required", NULL,
		    "mobile country code, 3 digits as a string; must be its "
		    "country's"),
	BSIM__KEY_X("mnc", true, "required", NULL,
		    "mobile network code, 2 or 3 digits as a string"),
	BSIM__KEY_X("tadig", true, "required", NULL,
		    "TADIG-style code, 5 capitals or digits"),
	BSIM__KEY_X("country", true, "required", NULL, "a country name"),
	BSIM__KEY_D(OP, coverage_share, "coverage_share", "", 0, 1, 1, NULL,
		    "share of the country's tracking areas it covers"),
	BSIM__KEY_X("radio", false, "`[lte-m]`", NULL,
		    "list of `lte-m`, `nb-iot`, `2g`"),
	BSIM__KEY_X("hss_site", true, "required", NULL,
		    "city of the home HSS/HLR and of its MME (latency)"),
	BSIM__KEY_D(OP, spill_km, "spill_km", "km", 0, 200, 10, "[assumption]",
		    "coverage reach across borders"),
	BSIM__KEY_D(OP, mme_capacity_per_s, "mme_capacity_per_s", "tx/s", 1e-3,
		    1e9, 37000, "[K-prados]",
		    "visited MME/VLR service rate (a virtualised MME cluster)"),
	BSIM__KEY_UINT(BSIM__KEY_U32, OP, mme_servers, "mme_servers", "", 1,
		       1000000, 37, "[K-prados] (derived)",
		       "parallel servers of the MME (one queue); each serves "
		       "a transaction in mme_servers / mme_capacity_per_s on "
		       "average: 37 at 37,000/s is the 1 ms the cluster "
		       "measured as its mean system delay"),
	BSIM__KEY_UINT(BSIM__KEY_U32, OP, mme_queue_limit, "mme_queue_limit",
		       "transactions", 1, 1u << 30, 100000, "[assumption]",
		       "transactions in the MME at most"),
	BSIM__KEY_D(OP, hss_capacity_per_s, "hss_capacity_per_s", "tx/s", 1e-3,
		    1e9, 5000, "[assumption] (DOMAIN.md 1.7)",
		    "home HSS/HLR service rate (one front end)"),
	BSIM__KEY_UINT(BSIM__KEY_U32, OP, hss_servers, "hss_servers", "", 1,
		       1000000, 25, "[K-ribbon-sh] (derived)",
		       "parallel servers of the HSS front end: 25 at 5,000/s "
		       "is 5 ms per transaction, within the 3-7.5 ms median an "
		       "HSS cache measured at its load limit"),
	BSIM__KEY_UINT(BSIM__KEY_U64, OP, subscribers, "subscribers", "SIMs", 0,
		       UINT64_C(10000000000), 0, "[assumption]",
		       "real subscriber base, every SIM (phones and M2M); > 0 "
		       "dimensions the MME and HSS by the rule of "
		       "`dimensioning` (then their capacity and servers keys "
		       "must be absent) and gives them the background load of "
		       "the subscribers not simulated"),
	BSIM__KEY_UINT(BSIM__KEY_U32, OP, hss_queue_limit, "hss_queue_limit",
		       "transactions", 1, 1u << 30, 50000, "[assumption]",
		       "transactions in the HSS at most"),
	BSIM__KEY_UINT(BSIM__KEY_U8, OP, sor_reject_cause, "sor_reject_cause",
		       "", 11, 17, 17, "DOMAIN.md 2.4",
		       "EMM cause of the home's steering rejects: 17 (network "
		       "failure: retries, then T3402), 13 (roaming not allowed "
		       "in this area: 12-24 h) or 11 (network forbidden on the "
		       "SIM, sticky)"),
	BSIM__KEY_UINT(BSIM__KEY_U8, OP, sor_max_attempts, "sor_max_attempts",
		       "", 0, 100, 5, "[K-oracleSoR]",
		       "steering rejects within 30 min after which the home "
		       "admits; 0: no network-based steering"),
	BSIM__KEY_D(OP, diameter_tx_s, "diameter_tx_s", "s", 0.001, 600, 6,
		    "[K-ribbon]",
		    "its MME's Diameter answer timer (Tx) on S6a: an HSS "
		    "answer (AIR, ULR) not back within it makes the MME reject "
		    "the attempt with #17"),
};
#undef OP
const size_t bsim__noperator_keys = N(bsim__operator_keys);

/* ---- platforms ---------------------------------------------------- */

#define PF struct bsim_platform
const struct bsim__key bsim__platform_keys[] = {
	BSIM__KEY_X("members", true, "required", NULL,
		    "operators whose M2M subscriptions it hosts"),
	BSIM__KEY_X("hss_site", true, "required", NULL,
		    "city of its shared HSS pool"),
	BSIM__KEY_D(PF, hss_capacity_per_s, "hss_capacity_per_s", "tx/s", 1e-3,
		    1e9, 5000, "[assumption] (DOMAIN.md 1.7)",
		    "the pool's service rate"),
	BSIM__KEY_UINT(BSIM__KEY_U32, PF, servers, "servers", "", 1, 1000000,
		       25, "[K-ribbon-sh] (derived)",
		       "parallel servers of the pool, as an HSS's (dimensioned "
		       "instead when a member has `subscribers`)"),
	BSIM__KEY_UINT(BSIM__KEY_U32, PF, hss_queue_limit, "hss_queue_limit",
		       "transactions", 1, 1u << 30, 50000, "[assumption]",
		       "transactions in the pool at most"),
	BSIM__KEY_B(PF, hosts_pgw, "hosts_pgw", 0, NULL,
		    "the pool also runs the members' packet gateway: its "
		    "outage stops data too"),
	BSIM__KEY_D(PF, local_profile_after_s, "local_profile_after_s", "s", 0,
		    1e9, 0, NULL,
		    "switch a device to a local member's profile after this "
		    "long abroad (0: never)"),
};
#undef PF
const size_t bsim__nplatform_keys = N(bsim__platform_keys);

/* ---- dimensioning ------------------------------------------------ */

#define DIM struct bsim_dimensioning
const struct bsim__key bsim__dim_keys[] = {
	BSIM__KEY_D(DIM, hss_tx_per_sub_bh, "hss_tx_per_subscriber_busy_hour",
		    "1/h", 0, 1000, 1, "[assumption]",
		    "HSS transactions per subscriber in the busy hour, for "
		    "capacity and background load"),
	BSIM__KEY_D(DIM, mme_tx_per_sub_bh, "mme_tx_per_subscriber_busy_hour",
		    "1/h", 0, 10000, 20, "[assumption]",
		    "MME procedures per subscriber in the busy hour"),
	BSIM__KEY_D(DIM, target_utilisation, "target_utilisation", "", 0.01, 1,
		    0.4, "[K-oracleDAMP]",
		    "busy-hour load / capacity a node is built for: 40%, "
		    "the geo-redundant engineering of a Diameter routing "
		    "engine (80% after a site fails)"),
	BSIM__KEY_D(DIM, headroom, "headroom", "", 0.01, 100, 1, NULL,
		    "capacity multiplier of every dimensioned node (the "
		    "findings sweep 0.5 to 2)"),
	BSIM__KEY_D(DIM, hss_server_rate_per_s, "hss_server_rate_per_s", "tx/s",
		    1e-3, 1e9, 200, "[K-ribbon-sh]",
		    "one HSS server's rate: 5 ms a transaction"),
	BSIM__KEY_D(DIM, mme_server_rate_per_s, "mme_server_rate_per_s", "tx/s",
		    1e-3, 1e9, 1000, "[K-prados]",
		    "one MME server's rate: 1 ms a procedure"),
	BSIM__KEY_B(DIM, hss_background, "hss_background", 1, NULL,
		    "dimensioned HSSs carry the load of the subscribers not "
		    "simulated, by local hour"),
	BSIM__KEY_B(DIM, mme_background, "mme_background", 0, NULL,
		    "the same at dimensioned MMEs; off by default: at 20 "
		    "procedures per subscriber-hour it is about 80 "
		    "transactions for every simulated event of the default "
		    "world, and the storms of interest are at the HSS"),
};
#undef DIM
const size_t bsim__ndim_keys = N(bsim__dim_keys);

/* ---- qos ---------------------------------------------------------- */

#define QOS struct bsim_qos
const struct bsim__key bsim__qos_keys[] = {
	BSIM__KEY_D(QOS, rtt_target_ms, "rtt_target_ms", "ms", 1, 10000, 100,
		    "[assumption]",
		    "user-plane round trip target of every roaming session "
		    "(`rtt_over_target_share`), whatever its agreement"),
};
#undef QOS
const size_t bsim__nqos_keys = N(bsim__qos_keys);

/* ---- nodes -------------------------------------------------------- */

static const char *const dists[] = { "exponential", "deterministic",
				     "lognormal", NULL };

#define SV struct bsim_service_spec
const struct bsim__key bsim__node_keys[] = {
	BSIM__KEY_C(SV, dist, "service", dists, BSIM_SERVICE_DIST_EXPONENTIAL,
		    "[assumption]",
		    "distribution of a server's service times, mean servers "
		    "/ capacity (section `nodes.mme`, `.hss`, `.platform` or "
		    "`.ipx`)"),
	BSIM__KEY_D(SV, cv, "cv", "", 0, 100, 1, NULL,
		    "coefficient of variation of `lognormal` services"),
};
#undef SV
const size_t bsim__nnode_keys = N(bsim__node_keys);

/* ---- classes ------------------------------------------------------ */

/* Class defaults (DOMAIN.md sections 1.5, 3.4 and 8): NAS timers T3410
 * 15 s, T3411 10 s, T3402 12 min, 5 attempts [K-naslist][K-T3402];
 * T3412 54 min [K-T3412]; HPLMN search 60 min [K-hplmntimer]; T3346 15-30
 * min [assumption]; TS.34 back-off on [K-soracom2]. */
static const char *const mobilities[] = { "stationary", "route", NULL };

#define CL struct bsim_class
const struct bsim__key bsim__class_keys[] = {
	{ .name = "count",
	  .type = BSIM__KEY_U64,
	  BSIM__FIELD(CL, count),
	  .unit = "devices",
	  .ulo = 0,
	  .uhi = UINT64_C(1) << 40,
	  .required = true,
	  .help = "real population of the class (devices simulated: "
		  "round(count x sample_fraction), at most 2^32 - 1)" },
	BSIM__KEY_D(
		CL, sample_fraction, "sample_fraction", "", 0, 1, 0, NULL,
		"the class's own sample fraction (0: `run.sample_fraction`)"),
	BSIM__KEY_C(CL, mobility, "mobility", mobilities,
		    BSIM_MOBILITY_STATIONARY, NULL,
		    "`stationary` (placed by `countries`) or `route` (driven "
		    "along `routes`)"),
	BSIM__KEY_X("countries", false, "stationary: required", NULL,
		    "shares by country name, e.g. `{DE: 0.6, NL: 0.4}` "
		    "(normalised); territories only"),
	BSIM__KEY_X("homes", true, "required", NULL,
		    "shares by home operator name (normalised)"),
	BSIM__KEY_X("routes", false, "route: required", NULL,
		    "shares by route name (normalised)"),
	BSIM__KEY_D(CL, foreign_sim_share, "foreign_sim_share", "", 0, 1, 0,
		    NULL,
		    "stationary devices with a foreign SIM (permanent "
		    "roaming)"),
	BSIM__KEY_X("radio", false, "`lte-m`", NULL,
		    "`lte-m`, `nb-iot` or `2g`"),
	BSIM__KEY_D(CL, report_s, "report_s", "s", 1, 1e8, 3600, "[assumption]",
		    "report interval while moving or "
		    "stationary"),
	BSIM__KEY_D(CL, parked_report_s, "parked_report_s", "s", 1, 1e8, 3600,
		    "[assumption]",
		    "report interval while parked at a "
		    "waypoint"),
	BSIM__KEY_B(CL, daily, "daily", 0, "[K-lg]",
		    "one report a day at a random offset in a local-time "
		    "window"),
	BSIM__KEY_D(CL, window_start_s, "window_start_s", "s", 0, 86399, 0,
		    "[K-lg]", "daily reports: local start of the window"),
	BSIM__KEY_D(CL, window_s, "window_s", "s", 0, 86400, 7200, "[K-lg]",
		    "daily reports: width of the window"),
	BSIM__KEY_UINT(BSIM__KEY_U64, CL, up_bytes, "up_bytes", "bytes", 0,
		       UINT64_C(1) << 40, 200, "[assumption]",
		       "uplink payload per report"),
	BSIM__KEY_UINT(BSIM__KEY_U64, CL, down_bytes, "down_bytes", "bytes", 0,
		       UINT64_C(1) << 40, 0, NULL,
		       "downlink payload per report"),
	BSIM__KEY_B(CL, sms, "sms", 0, NULL, "reports are SMS, not data"),
	BSIM__KEY_B(CL, session_per_report, "session_per_report", 0, NULL,
		    "attach, send and detach at every report"),
	BSIM__KEY_D(CL, t3412_s, "t3412_s", "s", 2, 413 * 86400.0, 3240,
		    "[K-T3412]",
		    "periodic update timer (with PSM: T3412-extended)"),
	BSIM__KEY_D(CL, t3324_s, "t3324_s", "s", 0, 11160, 0, "[K-T3324]",
		    "PSM active time (0: no PSM)"),
	BSIM__KEY_D(CL, edrx_s, "edrx_s", "s", 0, 10485.76, 0, "[K-ublox-edrx]",
		    "eDRX cycle (0: none), a TS 24.008 value: 5.12, 10.24, "
		    "20.48, 40.96, 61.44, 81.92, ..., 163.84, 327.68, ... s; "
		    "LTE-M up to 2621.44 s, NB-IoT up to 10485.76 s; not on "
		    "2G"),
	BSIM__KEY_D(CL, mt_per_day, "mt_per_day", "1/day", 0, 86400, 0, NULL,
		    "mobile-terminated messages per device-day (Poisson)"),
	BSIM__KEY_UINT(BSIM__KEY_U64, CL, mt_bytes, "mt_bytes", "bytes", 0,
		       UINT64_C(1) << 40, 0, NULL,
		       "payload of each mobile-terminated message"),
	BSIM__KEY_D(CL, mt_expiry_s, "mt_expiry_s", "s", 1, 400 * 86400.0,
		    86400, "[assumption]",
		    "how long the network keeps a message for a device it "
		    "cannot reach"),
	BSIM__KEY_D(CL, hpplmn_search_s, "hpplmn_search_s", "s", 360, 8 * 3600,
		    3600, "[K-hplmntimer]",
		    "higher-priority network search period"),
	BSIM__KEY_D(CL, t3410_s, "t3410_s", "s", 1, 600, 15, "[K-naslist]",
		    "guard of every procedure awaiting an answer"),
	BSIM__KEY_D(CL, t3411_s, "t3411_s", "s", 1, 3600, 10,
		    "[K-naslist][K-T3402]",
		    "retry delay while the attempt counter is below "
		    "max_attempts"),
	BSIM__KEY_D(CL, t3402_s, "t3402_s", "s", 1, 86400, 720, "[K-T3402]",
		    "long back-off when the attempt counter runs out"),
	BSIM__KEY_UINT(BSIM__KEY_U32, CL, max_attempts, "max_attempts", "", 1,
		       100, 5, "[K-T3402][K-attcnt]", "attempt counter limit"),
	BSIM__KEY_D(CL, t3346_min_s, "t3346_min_s", "s", 0, 86400, 900,
		    "[assumption]",
		    "congestion back-off (#22): lower end of its range"),
	BSIM__KEY_D(CL, t3346_max_s, "t3346_max_s", "s", 0, 86400, 1800,
		    "[assumption]",
		    "congestion back-off (#22): upper end, not below "
		    "t3346_min_s"),
	BSIM__KEY_B(CL, ts34, "ts34", 1, "[K-soracom2][K-particle]",
		    "GSMA TS.34 randomised escalating back-off"),
	BSIM__KEY_D(CL, search_min_s, "search_min_s", "s", 0, 3600, 20,
		    "[K-kaist]",
		    "network search after a loss of service (not an EPLMN "
		    "move): shortest, U(search_min_s, search_max_s) "
		    "[assumption: uniform]"),
	BSIM__KEY_D(CL, search_max_s, "search_max_s", "s", 0, 3600, 120,
		    "[K-kaist]",
		    "network search: longest, not below search_min_s (both 0: "
		    "none)"),
};
#undef CL
const size_t bsim__nclass_keys = N(bsim__class_keys);

static const struct bsim__key_section sections[] = {
	{ "run", bsim__run_keys, N(bsim__run_keys) },
	{ "grid", bsim__grid_keys, N(bsim__grid_keys) },
	{ "operators.X", bsim__operator_keys, N(bsim__operator_keys) },
	{ "platforms.X", bsim__platform_keys, N(bsim__platform_keys) },
	{ "classes.X", bsim__class_keys, N(bsim__class_keys) },
	{ "nodes.KIND", bsim__node_keys, N(bsim__node_keys) },
	{ "dimensioning", bsim__dim_keys, N(bsim__dim_keys) },
	{ "qos", bsim__qos_keys, N(bsim__qos_keys) },
};

const struct bsim__key_section *bsim__scenario_sections(size_t *n)
{
	*n = N(sections);
	return sections;
}

void bsim_scenario_keys_markdown(FILE *f)
{
	bsim__keys_markdown(f);
}

/* One line for an entity with any non-default scalar. */
static void settings_line(FILE *f, const char *what, const char *name,
			  const struct bsim__key *tab, size_t n,
			  const void *obj)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tab[i].type != BSIM__KEY_CUSTOM && !tab[i].required &&
		    !bsim__key_is_default(&tab[i], obj))
			break;
	if (i == n)
		return;
	fprintf(f, "  %s%s%s:", what, *name ? " " : "", name);
	bsim__keys_print_set(f, tab, n, obj);
	fputc('\n', f);
}

void bsim_scenario_print_settings(FILE *f, const struct bsim_world *w)
{
	settings_line(f, "run", "", bsim__run_keys, N(bsim__run_keys), &w->run);
	settings_line(f, "grid", "", bsim__grid_keys, N(bsim__grid_keys),
		      &w->grid);
	for (size_t i = 0; i < w->noperators; i++)
		settings_line(f, "operator", w->operators[i].name,
			      bsim__operator_keys, N(bsim__operator_keys),
			      &w->operators[i]);
	for (size_t i = 0; i < w->nplatforms; i++)
		settings_line(f, "platform", w->platforms[i].name,
			      bsim__platform_keys, N(bsim__platform_keys),
			      &w->platforms[i]);
	for (size_t i = 0; i < w->nclasses; i++)
		settings_line(f, "class", w->classes[i].name, bsim__class_keys,
			      N(bsim__class_keys), &w->classes[i]);
}
