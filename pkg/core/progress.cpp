#include "pkg/core/progress.hpp"

namespace ocne {

namespace {

class NullProgress : public ProgressSink
{
public:
  void
  begin(std::uint64_t, std::string_view, std::uint64_t, ProgressUnit) override
  {
  }
  void
  update(std::uint64_t, std::uint64_t, std::uint64_t) override
  {
  }
  void
  end(std::uint64_t, bool, std::string_view) override
  {
  }
};

std::atomic<std::uint64_t> g_next_id{ 1 };

} // namespace

ProgressSink&
null_progress()
{
  static NullProgress sink;
  return sink;
}

ProgressTask::ProgressTask(ProgressSink& sink, std::string label, std::uint64_t total, ProgressUnit unit)
  : m_sink(sink), m_id(g_next_id++), m_total(total)
{
  m_sink.begin(m_id, label, total, unit);
}

ProgressTask::~ProgressTask()
{
  fail("interrupted");
}

void
ProgressTask::set_total(std::uint64_t total)
{
  m_total = total;
  m_sink.update(m_id, m_done.load(), total);
}

void
ProgressTask::advance(std::uint64_t delta)
{
  const auto done = m_done.fetch_add(delta) + delta;
  m_sink.update(m_id, done, m_total.load());
}

void
ProgressTask::set_done(std::uint64_t done)
{
  m_done = done;
  m_sink.update(m_id, done, m_total.load());
}

std::uint64_t
ProgressTask::done() const
{
  return m_done.load();
}

void
ProgressTask::succeed(std::string_view detail)
{
  const std::lock_guard lock(m_end_mutex);
  if (!m_ended) {
    m_ended = true;
    m_sink.end(m_id, true, detail);
  }
}

void
ProgressTask::fail(std::string_view detail)
{
  const std::lock_guard lock(m_end_mutex);
  if (!m_ended) {
    m_ended = true;
    m_sink.end(m_id, false, detail);
  }
}

} // namespace ocne
