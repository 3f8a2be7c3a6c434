// SPDX-License-Identifier: MIT
//
// The ns-3 shim: the C API of include/blocsim/ns3.h over ns3::Simulator.
// Each exported function is a one-line delegation inside try/catch, so no
// C++ exception ever unwinds through C frames. The one piece of state is
// the EventId of each pending slot, which Remove() needs. The `live` flag
// is the project's one allowed singleton: ns-3's Simulator is itself one.

#include <blocsim/error.h>
#include <blocsim/ns3.h>

#include <ns3/event-id.h>
#include <ns3/nstime.h>
#include <ns3/object-factory.h>
#include <ns3/simulator.h>

#include <cstring>
#include <vector>

struct bsim_ns3 {
	bsim_ns3_fire_fn fire;
	void *user;
	std::vector<ns3::EventId> ids; // Pending event of each slot.
};

namespace
{

bool live = false;

const struct {
	const char *name;
	const char *type;
} schedulers[] = {
	{ "map", "ns3::MapScheduler" },
	{ "heap", "ns3::HeapScheduler" },
	{ "calendar", "ns3::CalendarScheduler" },
	{ "list", "ns3::ListScheduler" },
	{ "priority", "ns3::PriorityQueueScheduler" },
};

const char *type_of(const char *name)
{
	for (const auto &s : schedulers)
		if (!std::strcmp(s.name, name))
			return s.type;
	return nullptr;
}

void fire(bsim_ns3 *ns, uint32_t slot)
{
	ns->fire(ns->user, slot);
}

bsim_ns3 *create(const char *type, bsim_ns3_fire_fn f, void *user)
{
	ns3::ObjectFactory factory;

	factory.SetTypeId(type);
	ns3::Simulator::SetScheduler(factory);
	return new bsim_ns3{ f, user, {} };
}

void schedule(bsim_ns3 *ns, uint64_t delay_ns, uint32_t slot)
{
	if (slot >= ns->ids.size())
		ns->ids.resize(slot + 1 > 2 * ns->ids.size()
				       ? slot + 1
				       : 2 * ns->ids.size());
	ns->ids[slot] = ns3::Simulator::Schedule(
		ns3::NanoSeconds(static_cast<int64_t>(delay_ns)), &fire, ns,
		slot);
}

} // namespace

/* *** Public C interface *** */

extern "C" int bsim_ns3_scheduler_check(const char *name)
{
	return name && type_of(name) ? 0 : BSIM_EINVAL;
}

extern "C" int bsim_ns3_create(const char *scheduler, bsim_ns3_fire_fn f,
			       void *user, struct bsim_ns3 **out)
{
	const char *type = scheduler ? type_of(scheduler) : nullptr;

	if (!type || !f)
		return BSIM_EINVAL;
	if (live)
		return BSIM_EBACKEND;
	try {
		*out = create(type, f, user);
		live = true;
		return 0;
	} catch (...) {
		return BSIM_EBACKEND;
	}
}

extern "C" void bsim_ns3_destroy(struct bsim_ns3 *ns)
{
	if (!ns)
		return;
	try {
		ns3::Simulator::Destroy();
	} catch (...) {
	}
	delete ns;
	live = false;
}

extern "C" int bsim_ns3_schedule(struct bsim_ns3 *ns, uint64_t delay_ns,
				 uint32_t slot)
{
	try {
		return schedule(ns, delay_ns, slot), 0;
	} catch (...) {
		return BSIM_EBACKEND;
	}
}

extern "C" int bsim_ns3_remove(struct bsim_ns3 *ns, uint32_t slot)
{
	try {
		return ns3::Simulator::Remove(ns->ids.at(slot)), 0;
	} catch (...) {
		return BSIM_EBACKEND;
	}
}

extern "C" int bsim_ns3_run(struct bsim_ns3 *)
{
	try {
		return ns3::Simulator::Run(), 0;
	} catch (...) {
		return BSIM_EBACKEND;
	}
}

extern "C" int bsim_ns3_stop(struct bsim_ns3 *)
{
	try {
		return ns3::Simulator::Stop(), 0;
	} catch (...) {
		return BSIM_EBACKEND;
	}
}

extern "C" uint64_t bsim_ns3_now(const struct bsim_ns3 *)
{
	try {
		return static_cast<uint64_t>(
			ns3::Simulator::Now().GetNanoSeconds());
	} catch (...) {
		return 0;
	}
}

extern "C" uint64_t bsim_ns3_event_count(const struct bsim_ns3 *)
{
	try {
		return ns3::Simulator::GetEventCount();
	} catch (...) {
		return 0;
	}
}
