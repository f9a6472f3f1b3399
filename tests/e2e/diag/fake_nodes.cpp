#include "tests/e2e/diag/fake_nodes.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/sha.h>

#include <algorithm>

namespace ocne::test {

using nlohmann::json;

namespace {

using Args = std::vector<std::string>;

std::string
joined(const Args& args)
{
  std::string out;
  for (const auto& a : args) {
    out += (out.empty() ? "" : " ") + a;
  }
  return out;
}

// Whether the pod can chroot into the host: privileged, the host's / at /hostroot.
bool
can_chroot(const json& pod, const std::string& container)
{
  std::string volume;
  for (const auto& v : pod["spec"].value("volumes", json::array())) {
    if (v.contains("hostPath") && v["hostPath"].value("path", "") == "/") {
      volume = v.value("name", "");
    }
  }
  for (const auto& c : pod["spec"].value("containers", json::array())) {
    if (c.value("name", "") != container) {
      continue;
    }
    const bool privileged = c.contains("securityContext") && c["securityContext"].value("privileged", false);
    for (const auto& m : c.value("volumeMounts", json::array())) {
      if (privileged && !volume.empty() && m.value("name", "") == volume && m.value("mountPath", "") == "/hostroot") {
        return true;
      }
    }
  }
  return false;
}

} // namespace

std::string
sha256_hex(const std::string& data)
{
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
  std::string out;
  for (unsigned char c : md) {
    out += "0123456789abcdef"[c >> 4];
    out += "0123456789abcdef"[c & 15];
  }
  return out;
}

void
FakeNodes::put_file(const std::string& node, const std::string& path, std::string content)
{
  const std::lock_guard lock(m_mutex);
  auto& h = m_hosts.at(node);
  h.files[path] = std::move(content);
  h.age_minutes.erase(path);
}

std::vector<std::string>
FakeNodes::files_under(const std::string& node, const std::string& dir) const
{
  const std::lock_guard lock(m_mutex);
  std::vector<std::string> out;
  for (const auto& [path, _] : m_hosts.at(node).files) {
    if (path.rfind(dir + "/", 0) == 0) {
      out.push_back(path);
    }
  }
  return out;
}

void
FakeNodes::corrupt_reads_of(const std::string& prefix)
{
  const std::lock_guard lock(m_mutex);
  m_corrupt_prefix = prefix;
}

void
FakeNodes::on_read_midway(const std::string& prefix, std::function<void()> hook)
{
  const std::lock_guard lock(m_mutex);
  m_midway_prefix = prefix;
  m_midway = std::move(hook);
}

FakeHost&
FakeNodes::add(const std::string& node)
{
  auto& h = m_hosts[node];
  h.files["/etc/ocne/update.yaml"] =
    "registry: container-registry.oracle.com/olcne/ock-ostree\ntag: 1.32\ntransport: ostree-unverified-registry\n";
  h.files["/etc/crictl.yaml"] = "runtime-endpoint: unix:///var/run/crio/crio.sock\n";
  h.files["/etc/crio/crio.conf"] = "[crio.runtime]\nconmon_cgroup = \"pod\"\n";
  h.files["/etc/containers/registries.conf"] = "unqualified-search-registries = [\"container-registry.oracle.com\"]\n";
  h.journals["kubelet.service"] =
    "Jan 01 00:00:01 " + node + " kubelet[812]: I0101 node ready, address 192.168.122.11\n";
  h.journals["crio.service"] = "Jan 01 00:00:00 " + node + " crio[700]: Started the CRI-O daemon\n";
  h.journals[""] = "Jan 01 00:00:00 " + node + " systemd[1]: Started kubelet.service\n";
  const std::lock_guard lock(m_mutex);
  h.boot_id = fmt::format("6c1f0e2a-0000-4000-8000-{:012d}", ++m_boots);
  h.files["/proc/sys/kernel/random/boot_id"] = h.boot_id + "\n";
  return h;
}

FakeNodes::~FakeNodes()
{
  stop();
}

void
FakeNodes::stop()
{
  std::vector<std::thread> threads;
  {
    const std::lock_guard lock(m_mutex);
    m_stopping = true;
    threads.swap(m_reboots);
  }
  m_stop_cv.notify_all();
  for (auto& t : threads) {
    t.join();
  }
}

void
FakeNodes::set_reboot_timing(RebootTiming timing)
{
  const std::lock_guard lock(m_mutex);
  m_timing = timing;
}

FakeHost
FakeNodes::snapshot(const std::string& node) const
{
  const std::lock_guard lock(m_mutex);
  return m_hosts.at(node);
}

bool
FakeNodes::wait_or_stop(std::chrono::milliseconds d)
{
  std::unique_lock lock(m_mutex);
  return !m_stop_cv.wait_for(lock, d, [this] { return m_stopping; });
}

void
FakeNodes::set_node_ready(const std::string& node, const std::string& status)
{
  auto n = m_server.get("v1", "Node", "", node);
  if (!n) {
    return;
  }
  json conditions = (*n)["status"].value("conditions", json::array());
  for (auto& c : conditions) {
    if (c.value("type", "") == "Ready") {
      c["status"] = status;
      c["reason"] = status == "True" ? "KubeletReady" : "NodeStatusUnknown";
      c["message"] = status == "True" ? "kubelet is posting ready status" : "Kubelet stopped posting node status.";
    }
  }
  m_server.merge_patch("v1", "Node", "", node, { { "status", { { "conditions", conditions } } } }, "status");
}

void
FakeNodes::set_pods_phase(const std::string& node, const std::string& from, const std::string& to)
{
  for (const auto& pod : m_server.list("v1", "Pod", "ocne-system")) {
    if (pod["spec"].value("nodeName", "") != node || pod["metadata"].contains("deletionTimestamp") ||
        (pod.contains("status") ? pod["status"].value("phase", "Pending") : "Pending") != from) {
      continue;
    }
    m_server.merge_patch(
      "v1", "Pod", "ocne-system", pod["metadata"].value("name", ""), { { "status", { { "phase", to } } } }, "status");
  }
}

void
FakeNodes::set_mirror_pods_ready(const std::string& node, bool ready)
{
  for (const auto& pod : m_server.list("v1", "Pod", "")) {
    if (pod["spec"].value("nodeName", "") != node ||
        !pod["metadata"].value("annotations", json::object()).contains("kubernetes.io/config.mirror")) {
      continue;
    }
    const char* status = ready ? "True" : "False";
    m_server.merge_patch("v1",
                         "Pod",
                         pod["metadata"].value("namespace", ""),
                         pod["metadata"].value("name", ""),
                         { { "status",
                             { { "conditions",
                                 { { { "type", "Ready" }, { "status", status } },
                                   { { "type", "ContainersReady" }, { "status", status } } } } } } },
                         "status");
  }
}

// The timer fires: shutdown (the Node stays Ready until the kubelet stops
// posting), down, then the next boot.
void
FakeNodes::reboot_later(const std::string& node)
{
  m_reboots.emplace_back([this, node] {
    RebootTiming timing;
    {
      const std::lock_guard lock(m_mutex);
      timing = m_timing;
    }
    if (!wait_or_stop(timing.shutdown_after)) {
      return;
    }
    bool api_front = false;
    {
      const std::lock_guard lock(m_mutex);
      auto& h = m_hosts.at(node);
      h.down = true;
      h.active_units.clear();
      api_front = h.api_front;
      h.api_outages += api_front ? 1 : 0;
    }
    set_node_ready(node, "Unknown");
    if (api_front) {
      m_server.faults().fail_randomly(1.0, { .kind = kube::Fault::Kind::reset });
    }
    set_pods_phase(node, "Running", "Failed");
    set_pods_phase(node, "Pending", "Failed");
    set_mirror_pods_ready(node, false);
    if (!wait_or_stop(timing.down_for)) {
      return;
    }
    if (api_front) {
      m_server.faults().clear();
    }
    std::string boot_id;
    std::string kubelet;
    {
      const std::lock_guard lock(m_mutex);
      auto& h = m_hosts.at(node);
      ++h.reboots;
      const bool falls_back = h.boot_fallback || h.fallback_boots > 0;
      h.fallback_boots = std::max(0, h.fallback_boots - 1);
      if (!h.next_boot.empty() && h.next_boot != h.booted_commit && !falls_back) {
        h.rollback = h.booted_commit;
        h.booted_commit = h.next_boot;
      }
      h.next_boot.clear();
      h.boot_id = fmt::format("6c1f0e2a-0000-4000-8000-{:012d}", ++m_boots);
      h.files["/proc/sys/kernel/random/boot_id"] = h.boot_id + "\n";
      h.active_units = { "ocne-update.service" };
      h.down = false;
      boot_id = h.boot_id;
      const auto k = h.kubelet_of_commit.find(h.booted_commit);
      kubelet = k == h.kubelet_of_commit.end() ? "" : k->second;
    }
    json info = { { "bootID", boot_id } };
    if (!kubelet.empty()) {
      info["kubeletVersion"] = kubelet;
      info["kubeProxyVersion"] = kubelet;
    }
    m_server.merge_patch("v1", "Node", "", node, { { "status", { { "nodeInfo", info } } } }, "status");
    set_node_ready(node, "True");
    // The kubelet is back: the pods bound to the node start.
    set_pods_phase(node, "Pending", "Running");
    if (!wait_or_stop(timing.static_pods_after)) {
      return;
    }
    set_mirror_pods_ready(node, true);
  });
}

std::vector<std::string>
FakeNodes::commands() const
{
  const std::lock_guard lock(m_mutex);
  return m_commands;
}

int
FakeNodes::respond(const kube::ExecCall& call, kube::ExecIo& io)
{
  const auto pod = m_server.get("v1", "Pod", call.ns, call.pod);
  const auto& cmd = call.command;
  if (!pod || cmd.empty() || cmd[0] != "chroot") {
    io.err("exec: \"" + (cmd.empty() ? std::string() : cmd[0]) + "\": executable file not found in $PATH\n");
    return 127;
  }
  if (cmd.size() < 3 || cmd[1] != "/hostroot") {
    io.err("chroot: missing operand\n");
    return 125;
  }
  if (!can_chroot(*pod, call.container)) {
    io.err("chroot: cannot change root directory to '/hostroot': No such file or directory\n");
    return 125;
  }
  const auto node = (*pod)["spec"].value("nodeName", "");
  std::unique_lock lock(m_mutex);
  const auto at = m_hosts.find(node);
  if (at == m_hosts.end()) {
    io.err("chroot: failed to run command '" + cmd[2] + "': No such file or directory\n");
    return 127;
  }
  FakeHost& h = at->second;
  if (h.down) {
    io.err("error: unable to upgrade connection: container not found (\"" + call.container + "\")\n");
    return 1;
  }
  const Args args(cmd.begin() + 2, cmd.end());
  m_commands.push_back(node + ": " + joined(args));
  const auto& program = args[0];
  static const std::set<std::string> programs = { "cat",  "ostree", "rpm-ostree", "systemctl",  "top",        "df",
                                                  "du",   "crictl", "podman",     "journalctl", "sha256sum",  "rm",
                                                  "find", "tee",    "chmod",      "mv",         "systemd-run" };
  if (programs.count(program) == 0 || h.missing_programs.count(program) != 0) {
    io.err("chroot: failed to run command '" + program + "': No such file or directory\n");
    return 127;
  }
  auto out = [&](const std::string& text) {
    io.out(text);
    return 0;
  };
  if (program == "cat" && args.size() == 2) {
    const auto f = h.files.find(args[1]);
    if (f == h.files.end()) {
      io.err("cat: " + args[1] + ": No such file or directory\n");
      return 1;
    }
    std::string content = f->second;
    const bool corrupt = !m_corrupt_prefix.empty() && args[1].rfind(m_corrupt_prefix, 0) == 0;
    const auto midway = !m_midway_prefix.empty() && args[1].rfind(m_midway_prefix, 0) == 0 ? m_midway : nullptr;
    lock.unlock();
    if (corrupt && !content.empty()) {
      content[content.size() / 2] ^= 0x01;
    }
    // In pieces, as a pipe delivers them.
    constexpr std::size_t piece = 32 * 1024;
    for (std::size_t sent = 0; sent < content.size(); sent += piece) {
      if (midway && sent >= content.size() / 2 && sent < content.size() / 2 + piece) {
        midway();
      }
      io.out(std::string_view(content).substr(sent, piece));
    }
    return 0;
  }
  if (program == "tee" && args.size() == 2 && args[1].rfind('-', 0) != 0) {
    lock.unlock();
    std::string content;
    for (auto in = io.next(); in.kind != kube::ExecIo::Input::Kind::end; in = io.next()) {
      if (in.kind == kube::ExecIo::Input::Kind::data) {
        content += in.data;
      }
    }
    lock.lock();
    auto& host = m_hosts.at(node);
    host.files[args[1]] = content;
    host.modes.erase(args[1]);
    host.age_minutes.erase(args[1]);
    return out(content);
  }
  if (program == "chmod" && args.size() == 3 && args[1].size() == 4 && args[1][0] == '0') {
    if (h.files.count(args[2]) == 0) {
      io.err("chmod: cannot access '" + args[2] + "': No such file or directory\n");
      return 1;
    }
    h.modes[args[2]] = args[1];
    return 0;
  }
  if (program == "mv" && args.size() == 4 && args[1] == "-f") {
    const auto f = h.files.find(args[2]);
    if (f == h.files.end()) {
      io.err("mv: cannot stat '" + args[2] + "': No such file or directory\n");
      return 1;
    }
    h.files[args[3]] = f->second;
    h.files.erase(f);
    h.modes.erase(args[3]);
    if (const auto m = h.modes.find(args[2]); m != h.modes.end()) {
      h.modes[args[3]] = m->second;
      h.modes.erase(m);
    }
    return 0;
  }
  if (program == "systemctl" && args.size() == 3 && args[2].find('.') != std::string::npos &&
      (args[1] == "is-active" || args[1] == "start" || args[1] == "stop")) {
    const auto& unit = args[2];
    if (args[1] == "is-active") {
      const bool active = h.active_units.count(unit) != 0;
      return active ? out("active\n") : (out("inactive\n"), 3);
    }
    if (args[1] == "stop") {
      h.active_units.erase(unit);
      return 0;
    }
    h.active_units.insert(unit);
    if (unit != "ocne-update.service") {
      return 0;
    }
    // ocne-update.sh's first look, at once.
    std::string tag;
    for (std::size_t pos = 0; pos < h.files["/etc/ocne/update.yaml"].size();) {
      const auto& text = h.files["/etc/ocne/update.yaml"];
      auto end = text.find('\n', pos);
      end = end == std::string::npos ? text.size() : end;
      const auto line = text.substr(pos, end - pos);
      if (line.rfind("tag: ", 0) == 0) {
        tag = line.substr(5);
      }
      pos = end + 1;
    }
    const auto image = h.os_images.find(tag);
    if (image == h.os_images.end() || image->second == h.booted_commit || image->second == h.staged_commit) {
      return 0;
    }
    h.staged_commit = image->second;
    lock.unlock();
    m_server.merge_patch("v1",
                         "Node",
                         "",
                         node,
                         { { "metadata", { { "annotations", { { "ocne.oracle.com/update-available", "true" } } } } } });
    return 0;
  }
  if (program == "sha256sum" && args.size() == 2 && args[1].rfind('-', 0) != 0) {
    const auto f = h.files.find(args[1]);
    if (f == h.files.end()) {
      io.err("sha256sum: " + args[1] + ": No such file or directory\n");
      return 1;
    }
    return out(sha256_hex(f->second) + "  " + args[1] + "\n");
  }
  if (program == "rm" && args.size() >= 3 && args[1] == "-f") {
    for (std::size_t i = 2; i < args.size(); ++i) {
      h.files.erase(args[i]);
      h.age_minutes.erase(args[i]);
    }
    return 0;
  }
  // find DIR -maxdepth 1 -type f -name PREFIX* -mmin +N -print -delete
  if (program == "find" && args.size() == 12 && args[2] == "-maxdepth" && args[3] == "1" && args[4] == "-type" &&
      args[5] == "f" && args[6] == "-name" && args[7].size() > 1 && args[7].back() == '*' &&
      args[7].find_first_of("*?[") == args[7].size() - 1 && args[8] == "-mmin" && args[9].size() > 1 &&
      args[9][0] == '+' && args[10] == "-print" && args[11] == "-delete") {
    const std::string dir = args[1].back() == '/' ? args[1] : args[1] + "/";
    const std::string prefix = dir + args[7].substr(0, args[7].size() - 1);
    const int minutes = std::stoi(args[9].substr(1));
    std::string printed;
    for (auto f = h.files.begin(); f != h.files.end();) {
      const auto age = h.age_minutes.find(f->first);
      const bool old = age != h.age_minutes.end() && age->second > minutes;
      if (f->first.rfind(prefix, 0) == 0 && f->first.find('/', dir.size()) == std::string::npos && old) {
        printed += f->first + "\n";
        h.age_minutes.erase(f->first);
        f = h.files.erase(f);
      } else {
        ++f;
      }
    }
    return out(printed);
  }
  if (args == Args{ "ostree", "admin", "status" }) {
    std::string text;
    if (!h.next_boot.empty() && h.next_boot != h.booted_commit) {
      text += "  ock " + h.next_boot + ".0 (pending)\n    origin refspec: ock:ock\n";
    }
    text += "* ock " + h.booted_commit + ".0\n    Version: 1.32\n    origin refspec: ock:ock\n";
    if (!h.rollback.empty()) {
      text += "  ock " + h.rollback + ".0 (rollback)\n    origin refspec: ock:ock\n";
    }
    return out(text);
  }
  if (args == Args{ "ostree", "admin", "deploy", "ock:ock" }) {
    if (h.staged_commit.empty()) {
      io.err("error: Refspec 'ock:ock' not found\n");
      return 1;
    }
    h.next_boot = h.staged_commit;
    ++h.deploys;
    return 0;
  }
  if (args == Args{ "rpm-ostree", "kargs", "--delete-if-present=ignition.firstboot=1" }) {
    return out("Kernel arguments updated.\nRun \"systemctl reboot\" to start a reboot\n");
  }
  if (args == Args{ "systemd-run", "--on-active=5", "--unit=ocne-node-update-reboot", "systemctl", "reboot" }) {
    if (h.active_units.count("ocne-node-update-reboot.timer") != 0) {
      io.err("Failed to start transient timer unit: Unit ocne-node-update-reboot.timer already exists.\n");
      return 1;
    }
    h.active_units.insert("ocne-node-update-reboot.timer");
    if (!m_stopping) {
      reboot_later(node);
    }
    return out("Running timer as unit: ocne-node-update-reboot.timer\nWill run service as unit: "
               "ocne-node-update-reboot.service\n");
  }
  if (args == Args{ "ostree", "refs" }) {
    return out(h.staged_commit.empty() ? "ostree/0/1/0\n" : "ock:ock\nostree/0/1/0\n");
  }
  if (args == Args{ "ostree", "rev-parse", "ock:ock" }) {
    if (h.staged_commit.empty()) {
      io.err("error: Refspec 'ock:ock' not found\n");
      return 1;
    }
    return out(h.staged_commit + "\n");
  }
  if (args == Args{ "rpm-ostree", "status" }) {
    return out("State: idle\nDeployments:\n* ock:ock\n                  Version: 1.32 (2026-01-01T00:00:00Z)\n");
  }
  if (args == Args{ "systemctl", "list-units", "--failed", "--no-legend", "--plain", "--no-pager" }) {
    std::string text;
    for (const auto& u : h.failed_units) {
      text += u + " loaded failed failed " + u.substr(0, u.find('.')) + "\n";
    }
    return out(text);
  }
  if (args == Args{ "systemctl", "list-units", "--type=service", "--all", "--no-pager" }) {
    return out("UNIT LOAD ACTIVE SUB DESCRIPTION\nkubelet.service loaded active running kubelet\n");
  }
  if (args == Args{ "top", "-b", "-n", "1" }) {
    return out("top - 00:00:00 up 1 day,  load average: 0.10, 0.05, 0.01\n");
  }
  if (args == Args{ "df", "-Th" }) {
    return out("Filesystem Type Size Used Avail Use% Mounted on\n/dev/sda3 xfs 48G 9.1G 39G 19% /sysroot\n");
  }
  if (args == Args{ "du", "-x", "-h", "-d", "4", "-t", "100K", "/" }) {
    return out("1.2G\t/var/lib/containers\n2.0G\t/\n");
  }
  if (args == Args{ "crictl", "ps", "-a" } || args == Args{ "crictl", "images" } ||
      args == Args{ "podman", "images" }) {
    return out("CONTAINER IMAGE CREATED STATE NAME\n");
  }
  if (args == Args{ "journalctl", "--list-boots", "--no-pager" }) {
    return out(" 0 1a2b3c Thu 2026-01-01 00:00:00 UTC—Thu 2026-01-01 01:00:00 UTC\n");
  }
  if (args == Args{ "journalctl", "--disk-usage" }) {
    return out("Archived and active journals take up 24.0M in the file system.\n");
  }
  if (args == Args{ "journalctl", "-b", "--no-pager", "-n", "2000" } ||
      args == Args{ "journalctl", "-b", "--no-pager", "-p", "err", "-n", "2000" }) {
    const auto j = h.journals.find("");
    return out(j == h.journals.end() ? "-- No entries --\n" : j->second);
  }
  if (args.size() == 7 &&
      Args(args.begin(), args.begin() + 6) == Args{ "journalctl", "-b", "--no-pager", "-n", "5000", "-u" }) {
    const auto j = h.journals.find(args[6]);
    return out(j == h.journals.end() ? "-- No entries --\n" : j->second);
  }
  io.err(program + ": unrecognized arguments: " + joined(Args(args.begin() + 1, args.end())) + "\n");
  return program == "systemctl" || program == "journalctl" ? 1 : 2;
}

} // namespace ocne::test
