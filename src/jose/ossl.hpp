#pragma once
// Owning handles for the OpenSSL objects the jose layer creates, so every early return frees them.

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>

namespace authgate::jose::detail {

template <auto Free>
struct OsslFree {
  template <class T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

using BnPtr = std::unique_ptr<BIGNUM, OsslFree<BN_free>>;
using BnCtxPtr = std::unique_ptr<BN_CTX, OsslFree<BN_CTX_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OsslFree<OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, OsslFree<OSSL_PARAM_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OsslFree<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OsslFree<EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, OsslFree<BIO_free>>;

}  // namespace authgate::jose::detail
