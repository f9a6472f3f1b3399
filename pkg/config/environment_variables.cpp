#include "pkg/config/environment_variables.hpp"

namespace ocne::config {

const std::vector<EnvironmentVariable>&
environment_variables()
{
  // Grouped as a reader looks for them: files and state, clusters,
  // credentials, then the knobs of each area and test hooks.
  static const std::vector<EnvironmentVariable> k = {
    { "HOME", "home folder (else the user's passwd entry): `~` in paths and every default file" },
    { "OCNE_HOME", "state folder instead of `~/.ocne` (cluster cache, images, locks, template overrides)" },
    { "OCNE_DEFAULTS", "defaults file instead of `~/.ocne/defaults.yaml` (must exist when set)" },
    { "KUBECONFIG", "management cluster kubeconfig when none is configured" },
    { "TEST_KUBECONFIG", "management cluster kubeconfig, checked before `KUBECONFIG` (as Oracle's ocne)" },
    { "PATH", "where the programs ocne runs are found (`qemu-img`, `kubectl`, ...)" },
    { "NO_COLOR", "no colours in log output" },
    { "OCI_CLI_CONFIG_FILE", "OCI config file instead of `~/.oci/config`" },
    { "OCI_CONFIG_FILE", "OCI config file when `OCI_CLI_CONFIG_FILE` is unset" },
    { "OCI_CLI_PROFILE", "OCI profile when none is configured (else `DEFAULT`)" },
    { "OCI_CLI_CERT_BUNDLE", "CA bundle for OCI's endpoints when `OCNE_OCI_CA_BUNDLE` is unset" },
    { "OCI_REGION_METADATA", "an extra OCI region as JSON, as the OCI SDKs read it" },
    { "OXIDE_HOST", "Oxide host when no profile is configured" },
    { "OXIDE_TOKEN", "Oxide token, with `OXIDE_HOST` or `providers.oxide.host` (a secret: never printed)" },
    { "OXIDE_PROFILE", "profile of `~/.config/oxide/credentials.toml` when none is configured" },
    { "GITHUB_TOKEN", "token for GitHub's release files, sent only to GitHub (a secret: never printed)" },
    { "OCNE_GITHUB_URL", "a mirror of GitHub's release files for the Cluster API components" },
    { "OCNE_COMPONENTS_CA_BUNDLE", "CA bundle for the release files' server" },
    { "XDG_CONFIG_HOME", "instead of `~/.config`: clusterctl's `cluster-api/` folder and `containers/auth.json`" },
    { "REGISTRY_AUTH_FILE", "container registry credentials file, read first" },
    { "XDG_RUNTIME_DIR", "`containers/auth.json` below it when `REGISTRY_AUTH_FILE` is unset" },
    { "DOCKER_CONFIG", "folder of Docker's `config.json` instead of `~/.docker`" },
    { "OCNE_INSECURE_REGISTRIES", "registries (`host:port`, comma-separated) reached over plain HTTP" },
    { "LIBGUESTFS_BACKEND_SETTINGS",
      "libguestfs's own settings; with `force_tcg` a failed libguestfs start is not tried again in software "
      "emulation" },
    { "OCNE_GUESTFS_KVM_TIMEOUT",
      "seconds the libguestfs appliance may take to start with KVM before it is stopped and started again in software "
      "emulation (default 180)" },
    { "OCNE_LIBVIRT_DOMAIN_TYPE", "`kvm` or `qemu` instead of detecting whether the host can run KVM" },
    { "OCNE_LIBVIRT_ARCH", "`x86_64` or `aarch64`: the libvirt nodes' architecture instead of the host's" },
    { "OCNE_LIBVIRT_READY_TIMEOUT",
      "seconds a libvirt start waits for the API, the add-ons and Ready nodes (default 900)" },
    { "OCNE_CAPI_TIMEOUT", "seconds after which any Cluster API wait gives up (default 10 to 20 minutes each)" },
    { "OCNE_CAPI_POLL_MS", "milliseconds between polls of a Cluster API wait (default 2000)" },
    { "OCNE_OCI_ENDPOINT", "one endpoint for every OCI service (test servers, proxies)" },
    { "OCNE_OCI_IDENTITY_ENDPOINT", "OCI Identity endpoint" },
    { "OCNE_OCI_OBJECTSTORAGE_ENDPOINT", "OCI Object Storage endpoint" },
    { "OCNE_OCI_IAAS_ENDPOINT", "OCI Compute and networking endpoint" },
    { "OCNE_OCI_CA_BUNDLE", "CA bundle for OCI's endpoints" },
    { "OCNE_OCI_PART_SIZE_MIB", "part size of OCI uploads in MiB (default 128)" },
    { "OCNE_OCI_PARALLEL_UPLOADS", "parts of an OCI upload sent at once (default 10)" },
    { "OCNE_OXIDE_UPLOAD_WORKERS", "parallel writers of an Oxide upload (default 8)" },
    { "OCNE_NODE_UPDATE_READY_TIMEOUT",
      "seconds node update waits for a node to come back Ready at the new version (default 1200)" },
    { "OCNE_NODE_UPDATE_POLL_MS", "milliseconds between looks at a node that node update waits for (default 2000)" },
    { "OCNE_TEST_KILL_AT",
      "tests only: the process kills itself at a named point of a Cluster API start or a node update" },
  };
  return k;
}

} // namespace ocne::config
