// The library version (semantic versioning).
#ifndef BIRTHRIGHT_INCLUDE_BIRTHRIGHT_VERSION_H_
#define BIRTHRIGHT_INCLUDE_BIRTHRIGHT_VERSION_H_

namespace birthright {

inline constexpr char kBirthrightVersion[] = "0.1.0";

}  // namespace birthright

#endif  // BIRTHRIGHT_INCLUDE_BIRTHRIGHT_VERSION_H_
