/* SPDX-License-Identifier: MIT */
/*
 * Per-device result rows. The model counts into struct bsim__row, which
 * holds only what cannot be derived; a row's class and current home come
 * from the device, and its volumes from the reports it sent and the
 * messages delivered to it (every report carries its class's up_bytes and
 * down_bytes, every message mt_bytes), so a row costs 128 bytes a device
 * during the run (the KPIs' episode counters included).
 */
#include "model-internal.h"

#include <stddef.h>

void bsim_results_device(const struct bsim_results *res, size_t i,
			 struct bsim_device_row *out)
{
	const struct bsim_model *m = res->model;
	const struct bsim__device *d = &m->dev[i];
	const struct bsim__row *r = &m->row[i];
	const struct bsim_class *cl = &m->w->classes[d->cls];

	*out = (struct bsim_device_row){
		.reports = r->reports,
		.proc_digest = r->proc_digest,
		.bytes_up = (uint64_t)r->sent * cl->up_bytes,
		.bytes_down = (uint64_t)r->sent * cl->down_bytes +
			      (uint64_t)r->mt_delivered * cl->mt_bytes,
		.cls = d->cls,
		.home_op = d->home,
		.home_op_initial = r->home_op_initial,
		.country = r->country,
		.attaches_ok = r->attaches_ok,
		.attaches_failed = r->attaches_failed,
		.handovers = r->handovers,
		.border_crossings = r->border_crossings,
		.reattaches = r->reattaches,
		.session_drops = r->session_drops,
		.reports_lost = r->reports_lost,
		.records = r->records,
		.mt_delivered = r->mt_delivered,
		.mt_expired = r->mt_expired,
		.home_ns = r->home_ns,
		.roaming_ns = r->roaming_ns,
		.no_service_ns = r->no_service_ns,
		.interruption_ns = r->interruption_ns,
		.charge_ueur = r->charge_ueur,
		.mt_latency_ns = r->mt_latency_ns,
	};
}
