// The endpoint controllers: EndpointSlices (discovery.k8s.io/v1) and legacy Endpoints (core/v1).
export { EndpointSliceController } from './controller.ts';
export { EndpointsController } from './endpoints-controller.ts';
export { desiredSlices, reconcileSlices, sliceLabels, ControllerName, LabelManagedBy, LabelServiceName, MaxEndpointsPerSlice, type SliceSpec, type SliceActions } from './decide.ts';
export { desiredSubsets, syncEndpoints, type EndpointsAction } from './endpoints.ts';
