// The one translation unit that compiles Asio, Asio.SSL and Beast (BOOST_*_SEPARATE_COMPILATION):
// every other file includes only their declarations, which keeps the 2-core build fast.
#include "net/asio_descriptor_slab.hpp"  // first: it specialises how Asio makes its socket records
#include "net/socket_records.hpp"

#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>

namespace authgate::net {

std::size_t socket_record_bytes() noexcept { return DescriptorSlab::instance().bytes(); }

}  // namespace authgate::net
