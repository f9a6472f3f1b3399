#pragma once

// The webhook pods of a Cluster API management cluster, for the test world:
// one HTTPS server on 127.0.0.1 that answers
//  - ConversionReviews (apiextensions.k8s.io/v1) for the cluster.x-k8s.io,
//    controlplane, bootstrap, addons and infrastructure kinds between
//    v1beta1 and v1beta2, the way Cluster API converts where ocne depends on
//    it: object references (v1beta1 {apiVersion, kind, name, namespace},
//    v1beta2 {apiGroup, kind, name}) in Cluster spec.infrastructureRef and
//    controlPlaneRef, Machine spec.infrastructureRef and
//    bootstrap.configRef, MachineSet / MachineDeployment / MachinePool
//    spec.template.spec.{infrastructureRef, bootstrap.configRef}, and
//    KubeadmControlPlane spec.machineTemplate.infrastructureRef (v1beta2:
//    spec.machineTemplate.spec.infrastructureRef); conditions (v1beta1
//    status.conditions <-> v1beta2 status.deprecated.v1beta1.conditions,
//    v1beta1 status.v1beta2.conditions <-> v1beta2 status.conditions) and
//    the readiness flags (infrastructureReady, controlPlaneReady,
//    bootstrapReady <-> status.initialization). What v1beta1 cannot express
//    travels in the cluster.x-k8s.io/conversion-data annotation, as Cluster
//    API does, so a round trip through v1beta1 loses nothing. A v1beta2
//    reference's version comes from the referenced kind's CRD (its
//    cluster.x-k8s.io/<contract> label, else its storage version), which the
//    server learns from the cluster it serves (learn_crds);
//  - AdmissionReviews (admission.k8s.io/v1): allowed (the defaulting
//    webhooks return no patch), for Cluster API's and cert-manager's
//    webhook configurations alike.
// Its certificate is issued by its own CA for every "<service>.<ns>.svc" of
// webhook_services(); the fake cainjector (play_ca_injector) puts that CA
// in the caBundles, and route_webhooks() points the services at it.

#include "tests/servers/kube/kube_server.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ocne::test::kube {

class HttpsServer;

struct WebhookService
{
  std::string ns;
  std::string name;
  int port = 443;
};

// The webhook Services of the Cluster API, CAPOCI and cert-manager manifests.
const std::vector<WebhookService>& webhook_services();

class CapiWebhookServer
{
public:
  CapiWebhookServer();
  ~CapiWebhookServer();
  CapiWebhookServer(const CapiWebhookServer&) = delete;
  CapiWebhookServer& operator=(const CapiWebhookServer&) = delete;

  void start(); // https://127.0.0.1:<free port>
  void stop();
  std::string url() const;
  const std::string& ca_pem() const;

  // Keeps track of the CRDs of server (hook), for the versions of
  // references converted down to v1beta1. One webhook server per cluster.
  void learn_crds(KubeTestServer& server);
  // Routes every webhook_services() Service of server to this server.
  void route_webhooks(KubeTestServer& server) const;

  int
  conversion_reviews() const
  {
    return m_conversions;
  }
  int
  admission_reviews() const
  {
    return m_admissions;
  }

  // The conversion itself (what a ConversionReview gets per object); throws
  // std::runtime_error when it cannot convert (unknown reference version).
  nlohmann::json convert(const nlohmann::json& object, const std::string& desired_api_version) const;

private:
  std::string ref_version(const std::string& group, const std::string& kind) const;

  std::string m_ca_pem;
  std::string m_cert_pem;
  std::string m_key_pem;
  std::unique_ptr<HttpsServer> m_server;
  mutable std::mutex m_mutex;
  std::map<std::pair<std::string, std::string>, std::string> m_versions; // (group, kind) -> version
  std::atomic<int> m_conversions{ 0 };
  std::atomic<int> m_admissions{ 0 };
};

// cert-manager's cainjector and its webhook pod, once Deployments
// cert-manager/cert-manager-cainjector (and for the Secret,
// cert-manager/cert-manager-webhook) are Available:
//  - the webhook writes its CA Secret cert-manager/cert-manager-webhook-ca;
//  - every CustomResourceDefinition with a Webhook conversion and every
//    Validating/MutatingWebhookConfiguration annotated
//    cert-manager.io/inject-ca-from: <ns>/<certificate> gets ca_pem in its
//    caBundle(s) once that Certificate is Ready, and those annotated
//    cert-manager.io/inject-ca-from-secret: <ns>/<secret> once the Secret
//    exists; again whenever something writes another caBundle.
// ca_pem is the CA of the server the webhook Services are routed to (the
// CA that signs the Certificate's Secret in a real cluster).
int play_ca_injector(KubeTestServer& server, std::string ca_pem, std::chrono::milliseconds delay = {});

// The live webhooks of one cluster of the world: a started CapiWebhookServer
// that knows server's CRDs, the webhook Services routed to it, and the
// cainjector putting its CA in the caBundles. Keep it alive as long as server.
std::unique_ptr<CapiWebhookServer> play_capi_webhooks(KubeTestServer& server, std::chrono::milliseconds delay = {});

} // namespace ocne::test::kube
