/* SPDX-License-Identifier: MIT */
/**
 * @file ns3.h
 * @brief C API of the ns-3 shim (ns3/shim.cc): ns3::Simulator behind opaque
 *        handles, for the engine's ns-3 backend.
 *
 * Every function is a one-line delegation that catches C++ exceptions and
 * returns BSIM_EBACKEND instead. ns-3's Simulator is a process-wide
 * singleton, so at most one bsim_ns3 exists at a time; another may be
 * created once the previous one is destroyed. Times cross the boundary as
 * uint64_t nanoseconds; events are identified by a slot number the caller
 * owns, and firing one calls the caller's callback with that slot.
 * Validation that ns-3 itself would answer with an abort (an unknown
 * scheduler type, a negative delay) is done here or by the caller first.
 */
#ifndef BSIM_NS3_H
#define BSIM_NS3_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bsim_ns3;

/** Called when the event in @p slot fires. */
typedef void (*bsim_ns3_fire_fn)(void *user, uint32_t slot);

/**
 * Check a scheduler name: "map" (ns-3's default), "heap", "calendar",
 * "list" or "priority" (PriorityQueueScheduler).
 * @return 0, or BSIM_EINVAL for any other name.
 */
int bsim_ns3_scheduler_check(const char *name);

/**
 * Set up ns3::Simulator with the named scheduler.
 * @return 0 and *out; BSIM_EINVAL for an unknown scheduler; BSIM_EBACKEND
 *         if another bsim_ns3 exists or ns-3 fails.
 */
int bsim_ns3_create(const char *scheduler, bsim_ns3_fire_fn fire, void *user,
		    struct bsim_ns3 **out);

/** Simulator::Destroy() and free. Accepts NULL. */
void bsim_ns3_destroy(struct bsim_ns3 *ns);

/** Simulator::Schedule(delay) of the event in @p slot (delay >= 0). */
int bsim_ns3_schedule(struct bsim_ns3 *ns, uint64_t delay_ns, uint32_t slot);

/** Simulator::Remove() of the pending event in @p slot (eager removal). */
int bsim_ns3_remove(struct bsim_ns3 *ns, uint32_t slot);

/** Simulator::Run(). */
int bsim_ns3_run(struct bsim_ns3 *ns);

/** Simulator::Stop(): Run() returns after the current event. */
int bsim_ns3_stop(struct bsim_ns3 *ns);

/** Simulator::Now(), ns. */
uint64_t bsim_ns3_now(const struct bsim_ns3 *ns);

/** Simulator::GetEventCount(): events executed so far. */
uint64_t bsim_ns3_event_count(const struct bsim_ns3 *ns);

#ifdef __cplusplus
}
#endif

#endif /* BSIM_NS3_H */
