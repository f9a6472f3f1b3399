#pragma once

// The hosts behind the test cluster's nodes, as ocne's node pods reach
// them: `chroot /hostroot CMD...` exec'd in a privileged pod with the host's
// / mounted at /hostroot. Each node has files, journals, ostree and systemd
// state; a command answers only with the exact arguments a real tool takes
// for what ocne collects. Anything else fails as it would there: a program
// the host lacks with chroot's exit 127, other arguments with the tool's
// usage error, a pod without the host mount or privileges with chroot's 125.
// The files are the host's one filesystem: what a container writes through
// a hostPath volume (put_file) is what the node pod's commands see.

#include "tests/servers/kube/kube_server.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace ocne::test {

// Lower-case hex SHA-256, as sha256sum prints it.
std::string sha256_hex(const std::string& data);

struct FakeHost
{
  std::map<std::string, std::string> files;    // absolute path -> content
  std::map<std::string, int> age_minutes;      // path -> minutes since it was written (absent: just now)
  std::map<std::string, std::string> journals; // unit ("" the whole journal) -> text
  std::vector<std::string> failed_units;       // "kubelet.service"
  std::string booted_commit = "3b1e5c0e8a4f9d2c7b6a5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a09";
  std::string staged_commit;              // ock:ock, empty: none
  std::set<std::string> missing_programs; // e.g. "rpm-ostree"
  // For cluster stage: file modes ("0400") of files written with chmod, the
  // systemd units that run, and the OS images the update service can find
  // (update.yaml tag -> their ostree commit; a tag not here: "image not found").
  std::map<std::string, std::string> modes;
  std::set<std::string> active_units = { "ocne-update.service" };
  std::map<std::string, std::string> os_images;
  // For node update: the deployment the next boot takes (empty: the booted
  // one again), the one booted before (ostree's rollback), this boot's id
  // (also /proc/sys/kernel/random/boot_id), the kubelet version each commit
  // brings (absent: unchanged), a boot loader that falls back to the old
  // commit, and what happened: reboots, `ostree admin deploy` runs, whether
  // the host is down (between shutdown and the next boot).
  std::string next_boot;
  std::string rollback;
  std::string boot_id;
  std::map<std::string, std::string> kubelet_of_commit;
  bool boot_fallback = false;
  // The next this many boots fall back as boot_fallback does; the ones after take next_boot.
  int fallback_boots = 0;
  // The API server is reached through this node (libvirt's port forward on
  // cp-1): while it is down every request to the server is reset.
  bool api_front = false;
  int api_outages = 0;
  int reboots = 0;
  int deploys = 0;
  bool down = false;
};

// How a reboot scheduled with systemd-run plays out: the node stays up
// (and Ready) for shutdown_after, as the real timer's 5 s, then is down
// (Node Ready Unknown, exec refused, its ocne-system pods Failed) for
// down_for, then boots its next deployment with a new boot id.
struct RebootTiming
{
  std::chrono::milliseconds shutdown_after{ 1000 };
  std::chrono::milliseconds down_for{ 500 };
  // After the Node is Ready again, its static pods' mirrors (annotated
  // kubernetes.io/config.mirror) take this long to be Ready (they are not
  // Ready from the shutdown on).
  std::chrono::milliseconds static_pods_after{ 0 };
};

class FakeNodes
{
public:
  explicit FakeNodes(kube::KubeTestServer& server) : m_server(server)
  {
  }
  ~FakeNodes();
  FakeNodes(const FakeNodes&) = delete;
  FakeNodes& operator=(const FakeNodes&) = delete;
  // Ends the reboots in flight (before the server goes).
  void stop();
  void set_reboot_timing(RebootTiming timing);
  // A copy of the host's state, safe while commands run.
  FakeHost snapshot(const std::string& node) const;
  // A typical OCK node (update.yaml, crio and ostree state, journals).
  FakeHost& add(const std::string& node);
  FakeHost&
  host(const std::string& node)
  {
    return m_hosts.at(node);
  }
  // The responder (KubeTestServer::on_exec).
  int respond(const kube::ExecCall& call, kube::ExecIo& io);
  // Every command run on a node, "node: argv...".
  std::vector<std::string> commands() const;
  // The host's files, safe while commands run.
  void put_file(const std::string& node, const std::string& path, std::string content);
  std::vector<std::string> files_under(const std::string& node, const std::string& dir) const;
  // `cat` of a path starting with this sends its content with one bit
  // flipped (a copy corrupted in transit); empty: none.
  void corrupt_reads_of(const std::string& prefix);
  // Called by `cat` of such a path (same prefix rule) once half of it was
  // sent; the rest is sent when it returns.
  void on_read_midway(const std::string& prefix, std::function<void()> hook);

private:
  void reboot_later(const std::string& node);
  // Sleeps for d; false when stop() was called.
  bool wait_or_stop(std::chrono::milliseconds d);
  void set_node_ready(const std::string& node, const std::string& status);
  void set_pods_phase(const std::string& node, const std::string& from, const std::string& to);
  void set_mirror_pods_ready(const std::string& node, bool ready);

  kube::KubeTestServer& m_server;
  std::map<std::string, FakeHost> m_hosts;
  mutable std::mutex m_mutex;
  std::vector<std::string> m_commands;
  std::string m_corrupt_prefix;
  std::string m_midway_prefix;
  std::function<void()> m_midway;
  RebootTiming m_timing;
  int m_boots = 0;
  bool m_stopping = false;
  std::condition_variable m_stop_cv;
  std::vector<std::thread> m_reboots;
};

} // namespace ocne::test
