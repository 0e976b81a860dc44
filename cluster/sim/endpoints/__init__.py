"""The endpoint controllers' plans: the Endpoints object a Service should have, the EndpointSlice reconcile and mirroring plans, and what one endpoint change costs on the wire."""
