#include "runtime.h"

const char *kj_pod_obs_state_name(enum kj_pod_obs_state s)
{
    switch (s) {
    case KJ_POD_OBS_CREATING:
        return "creating";
    case KJ_POD_OBS_WAITING:
        return "waiting";
    case KJ_POD_OBS_CREATED:
        return "created";
    case KJ_POD_OBS_RUNNING:
        return "running";
    case KJ_POD_OBS_EXITED:
        return "exited";
    case KJ_POD_OBS_REMOVED:
        return "removed";
    default:
        return "unknown";
    }
}
