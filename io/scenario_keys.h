/* SPDX-License-Identifier: MIT */
/*
 * The key tables of the scenario sections (scenario_keys.c), for the
 * loader (scenario.c) and `blocsim check`. Private to io/.
 */
#ifndef BSIM_IO_SCENARIO_KEYS_H
#define BSIM_IO_SCENARIO_KEYS_H

#include "keys.h"

extern const struct bsim__key bsim__run_keys[];
extern const size_t bsim__nrun_keys;
extern const struct bsim__key bsim__grid_keys[];
extern const size_t bsim__ngrid_keys;
extern const struct bsim__key bsim__operator_keys[];
extern const size_t bsim__noperator_keys;
extern const struct bsim__key bsim__platform_keys[];
extern const size_t bsim__nplatform_keys;
extern const struct bsim__key bsim__qos_keys[];
extern const size_t bsim__nqos_keys;
extern const struct bsim__key bsim__dim_keys[];
extern const size_t bsim__ndim_keys;
extern const struct bsim__key bsim__node_keys[];
extern const size_t bsim__nnode_keys;
extern const struct bsim__key bsim__class_keys[];
extern const size_t bsim__nclass_keys;

#endif /* BSIM_IO_SCENARIO_KEYS_H */
