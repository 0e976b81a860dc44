"""Controllers run after every write, inside the same transaction, on everything it changed."""

from cluster.controllers.endpoints import sync_endpoints
from cluster.controllers.loadbalancer import sync_load_balancers
from cluster.controllers.workloads import sync_workloads
from cluster.store import Store


def run_controllers(store: Store, *, resync_all: bool = False) -> None:
    """Workloads and scheduling settle first (they feed each other), then the load balancer,
    then one Endpoints/EndpointSlice sync per affected Service over the whole transaction."""
    seen, resync = 0, resync_all  # a resync runs the workloads once even when nothing changed
    while resync or seen < len(store.changes):
        batch = store.changes[seen:]
        seen = len(store.changes)
        sync_workloads(store, batch, resync_all=resync)
        resync = False
    sync_load_balancers(store, store.changes, resync_all=resync_all)
    sync_endpoints(store, store.changes, resync_all=resync_all)
